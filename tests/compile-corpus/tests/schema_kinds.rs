//! The schema constructs of two corpus definitions, read and written through the types
//! generated for them: discriminated kinds (OpenAPI 3.0 `oneOf` with `mapping`, a 3.0
//! base with `mapping`, the Swagger 2.0 base-and-`allOf` pattern), kinds the definition
//! does not list, `readOnly`/`writeOnly` members and integer formats.

use compile_corpus::payments_discriminated_methods::types as payments;
use compile_corpus::pet_clinic_inventory_polymorphic::types as clinic;
use serde_json::{Value, json};

fn read<T: serde::de::DeserializeOwned>(json: Value) -> Result<T, String> {
    serde_json::from_value(json).map_err(|e| e.to_string())
}

fn write<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("serializes")
}

#[test]
fn a_mapped_value_reads_as_its_schema_and_is_written_back_exactly() {
    let wire = json!({
        "id": "pm_1", "type": "sepa_debit", "created": 1718000000,
        "sepa_debit": {"last4": "3000", "country": "DE"}
    });
    let method: payments::PaymentMethod = read(wire.clone()).unwrap();
    let payments::PaymentMethod::SepaDebit(debit) = &method else {
        panic!("read as {method:?}");
    };
    assert_eq!(debit.sepa_debit.last4.as_deref(), Some("3000"));
    assert_eq!(write(&method), wire);
}

#[test]
fn two_values_mapped_to_one_schema_stay_apart() {
    let apple = json!({"id": "pm_2", "type": "apple_pay", "created": 1, "wallet": {"dynamic_last4": "1111"}});
    let google = json!({"id": "pm_3", "type": "google_pay", "created": 2, "wallet": {"dynamic_last4": "2222"}});
    let apple: payments::PaymentMethod = read(apple).unwrap();
    let google: payments::PaymentMethod = read(google).unwrap();
    assert!(matches!(apple, payments::PaymentMethod::ApplePay(_)), "{apple:?}");
    assert!(matches!(google, payments::PaymentMethod::GooglePay(_)), "{google:?}");
}

#[test]
fn an_unmapped_member_is_named_by_its_schema_name() {
    let wire = json!({"id": "pm_4", "type": "BankTransfer", "created": 3, "reference": "TP-1"});
    let method: payments::PaymentMethod = read(wire.clone()).unwrap();
    assert!(matches!(method, payments::PaymentMethod::BankTransfer(_)), "{method:?}");
    assert_eq!(write(&method), wire);
}

#[test]
fn the_variant_decides_the_tag_that_is_written() {
    let wallet: payments::WalletPaymentMethod = read(json!({
        "id": "pm_5", "type": "apple_pay", "created": 4, "wallet": {"dynamic_last4": "0005"}
    }))
    .unwrap();
    // The same wallet, put in the `google_pay` variant: written as Google Pay.
    let written = write(&payments::PaymentMethod::GooglePay(wallet.clone()));
    assert_eq!(written["type"], "google_pay");
    // Written alone, the struct keeps its own member.
    assert_eq!(write(&wallet)["type"], "apple_pay");
}

#[test]
fn a_kind_the_definition_does_not_list_is_kept_whole() {
    let wire = json!({
        "id": "pm_6", "type": "klarna", "created": 5,
        "klarna": {"dob": {"day": 1, "month": 2, "year": 1990}}
    });
    let method: payments::PaymentMethod = read(wire.clone()).unwrap();
    let payments::PaymentMethod::Other(members) = &method else {
        panic!("read as {method:?}");
    };
    assert_eq!(members["klarna"]["dob"]["year"], 1990);
    assert_eq!(write(&method), wire);
}

#[test]
fn a_listed_kind_that_does_not_fit_is_an_error_not_other() {
    // `card` is listed; without its required `card` member it is no card.
    let error = read::<payments::PaymentMethod>(json!({"id": "pm_7", "type": "card", "created": 6})).unwrap_err();
    assert!(error.contains("card"), "{error}");
}

#[test]
fn a_value_without_its_tag_is_refused_with_the_member_named() {
    let error = read::<payments::PaymentMethod>(json!({"id": "pm_8", "created": 7})).unwrap_err();
    assert!(error.contains("missing member `type`"), "{error}");
    let error = read::<payments::PaymentMethod>(json!({"id": "pm_9", "type": 12, "created": 7})).unwrap_err();
    assert!(error.contains("`type`") && error.contains("not a string"), "{error}");
    let error = read::<payments::PaymentMethod>(json!(["card"])).unwrap_err();
    assert!(error.contains("object"), "{error}");
}

#[test]
fn a_three_zero_base_reads_its_mapped_subtypes_and_keeps_the_rest_typed() {
    let succeeded = json!({
        "id": "evt_1", "type": "payment.succeeded", "created": 10,
        "data": {"object": {"id": "pay_1", "amount": 2599, "currency": "eur", "status": "succeeded",
                             "created": 9, "payment_method": "pm_1"}}
    });
    let event: payments::Event = read(succeeded.clone()).unwrap();
    let payments::Event::PaymentSucceeded(inner) = &event else {
        panic!("read as {event:?}");
    };
    assert_eq!(inner.data.object.amount, 2599);
    assert_eq!(write(&event), succeeded);

    // A subtype mapped by its bare name.
    let refund = json!({
        "id": "evt_2", "type": "refund.created", "created": 11,
        "data": {"object": {"id": "re_1", "payment": "pay_1", "amount": 100, "status": "pending", "created": 11}}
    });
    assert!(matches!(
        read::<payments::Event>(refund).unwrap(),
        payments::Event::RefundCreated(_)
    ));

    // An event type this version does not describe: the common members, typed.
    let payout = json!({"id": "evt_3", "type": "payout.paid", "created": 12, "data": {"object": {"id": "po_1"}},
                        "account": "acct_1"});
    let event: payments::Event = read(payout.clone()).unwrap();
    let payments::Event::Other(base) = &event else {
        panic!("read as {event:?}");
    };
    assert_eq!(base.r#type, "payout.paid");
    assert_eq!(base.extra["account"], "acct_1");
    assert_eq!(write(&event), payout);
}

#[test]
fn a_member_typed_as_a_swagger_two_base_accepts_every_subtype() {
    let list = json!([
        {"id": 9001, "name": "Miso", "species": "Cat", "indoor": true},
        {"id": 9002, "name": "Rex", "species": "Dog", "breed": "Boxer", "walks_per_day": 3},
        {"id": 9003, "name": "Clover", "species": "Rabbit", "hutch": {"size_m2": 1.5}},
        {"id": 9004, "name": "Kiwi", "species": "Parrot", "wingspan_cm": 40},
        {"id": 9005, "name": "Unknown stray", "species": "Patient"}
    ]);
    let patients: Vec<clinic::Patient> = read(list.clone()).unwrap();
    assert!(matches!(&patients[0], clinic::Patient::Cat(cat) if cat.indoor == Some(true)));
    assert!(matches!(&patients[1], clinic::Patient::Dog(dog) if dog.breed == "Boxer"));
    assert!(matches!(&patients[2], clinic::Patient::Rabbit(_)));
    // A kind this version does not describe, and the base itself: the common members.
    let clinic::Patient::Other(parrot) = &patients[3] else {
        panic!("read as {:?}", patients[3]);
    };
    assert_eq!(
        (parrot.name.as_str(), parrot.extra["wingspan_cm"].as_i64()),
        ("Kiwi", Some(40))
    );
    assert!(matches!(&patients[4], clinic::Patient::Other(base) if base.species == "Patient"));
    assert_eq!(write(&patients), list);

    let kennel: clinic::Kennel = read(json!({
        "number": 3, "capacity": 1, "occupant": {"id": 1, "name": "Clover", "species": "Rabbit"}
    }))
    .unwrap();
    assert!(matches!(kennel.occupant, Some(clinic::Patient::Rabbit(_))));
}

#[test]
fn a_subtype_keeps_the_tag_as_a_member_of_its_own() {
    let cat: clinic::Cat = read(json!({"id": 1, "name": "Miso", "species": "Cat"})).unwrap();
    assert_eq!(cat.species, "Cat");
    // Required on the base, so required on the subtype.
    let error = read::<clinic::Cat>(json!({"id": 1, "name": "Miso"})).unwrap_err();
    assert!(error.contains("species"), "{error}");
}

#[test]
fn read_only_and_write_only_members_are_optional_where_they_do_not_travel() {
    // `Payment` is a request body: its read-only `id`, `status` and `created`, required
    // in the definition, may be left out of a request.
    let request: payments::Payment =
        read(json!({"amount": 2599, "currency": "eur", "payment_method": "pm_1"})).unwrap();
    assert_eq!((request.id, request.status, request.created), (None, None, None));
    // `Card` travels in responses: its write-only, required `number` may be left out.
    let card: payments::Card = read(json!({"exp_month": 12, "exp_year": 2031, "brand": "visa"})).unwrap();
    assert_eq!(card.number, None);
    // `Event` only travels in responses: its read-only `id` stays required.
    let error = read::<payments::EventBase>(json!({"type": "x", "created": 1, "data": {"object": {}}})).unwrap_err();
    assert!(error.contains("`id`"), "{error}");
}

#[test]
fn unsigned_and_sized_integer_formats_hold_their_ranges() {
    let item: clinic::StockItem = read(json!({
        "sku": "VAX", "stock_on_hand": 4_000_000_000u64, "batch_count": -3, "lot_hash": u64::MAX, "legacy_code": 77
    }))
    .unwrap();
    let (on_hand, batches, hash): (u32, Option<i8>, Option<u64>) =
        (item.stock_on_hand, item.batch_count, item.lot_hash);
    assert_eq!((on_hand, batches, hash), (4_000_000_000, Some(-3), Some(u64::MAX)));
    // An unknown format (`int24`) is an `i64`.
    let _: Option<i64> = item.legacy_code;
    assert!(read::<clinic::StockItem>(json!({"sku": "VAX", "stock_on_hand": -1})).is_err());
    assert!(read::<clinic::Kennel>(json!({"number": 1, "capacity": 256})).is_err());
    assert!(read::<clinic::Kennel>(json!({"number": 65_536, "capacity": 1})).is_err());
    // `minimum: 0` bounds a value; it does not make the type unsigned.
    let dog: clinic::Dog =
        read(json!({"id": 1, "name": "Rex", "species": "Dog", "breed": "Boxer", "walks_per_day": 2})).unwrap();
    let _: Option<i64> = dog.walks_per_day;
}

#[test]
fn additional_properties_beside_properties_are_a_typed_map() {
    let kennel: clinic::Kennel = read(json!({"number": 12, "capacity": 2, "wing": "east"})).unwrap();
    assert_eq!(kennel.extra.get("wing").map(String::as_str), Some("east"));
    // The extra members are strings: a number is not one.
    assert!(read::<clinic::Kennel>(json!({"number": 12, "capacity": 2, "wing": 3})).is_err());
    // `additionalProperties: false` rejects what the schema does not name.
    assert!(read::<clinic::StockItem>(json!({"sku": "A", "stock_on_hand": 1, "colour": "red"})).is_err());
}
