//! The three per-type options, each on a schema of the room directory API.
fn main() -> Result<(), stubforge::Failure> {
    stubforge::configure()
        .spec("../fixtures/room-directory/api.yaml")
        .file_name("room_directory")
        .server(false)
        .client(false)
        .example_tests(true)
        // Summaries go into sets: the struct gets `Eq` and `Hash` besides its own derives.
        .type_attribute("RoomSummary", "#[derive(Eq, Hash)]")
        // Room IDs are ruma's checked type wherever the definition refers to `RoomId`.
        .map_type("RoomId", "::ruma_common::OwnedRoomId")
        // The response of `getPublicRooms` under the name this crate's users know.
        .rename_type("PublicRoomsResponse", "RoomDirectoryPage")
        .generate()?;
    Ok(())
}
