fn main() -> Result<(), stubforge::Failure> {
    stubforge::configure()
        .spec("../../api/server-server/leaving.yaml")
        .file_name("leave")
        .generate()?;
    Ok(())
}
