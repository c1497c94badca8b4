//! The wasm boundary from the Rust side, run by wasm-bindgen-test in Node and, with
//! WASM_BINDGEN_USE_BROWSER=1, in headless Chromium: JS values in, plain objects and real
//! coded `Error`s out.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Error, JSON, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

use meld_repair::wasm::{advise, decide, define_copy, explain, known_situations, reset_copy};

fn json(text: &str) -> JsValue {
    JSON::parse(text).expect("test JSON")
}

fn field(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &key.into()).unwrap()
}

fn text(object: &JsValue, key: &str) -> String {
    field(object, key).as_string().unwrap_or_else(|| panic!("{key} is not a string"))
}

fn error_code(error: &JsValue) -> String {
    assert!(error.is_instance_of::<Error>(), "a real Error");
    text(error, "code")
}

#[wasm_bindgen_test]
fn decide_reads_a_meld_connection_and_writes_a_plain_object() {
    let connection = json(r#"{"id":"c1","status":"RECONNECT_REQUIRED","statusReason":"LOGIN_REQUIRED","institutionName":"First Platypus Bank","extra":{"deep":[1,2]}}"#);
    let decision = decide(connection, JsValue::UNDEFINED).unwrap();
    assert_eq!(Object::get_prototype_of(&decision), Object::get_prototype_of(&Object::new().into()));
    assert_eq!(text(&decision, "action"), "repair");
    assert_eq!(field(&decision, "openWidget"), JsValue::TRUE);
    assert_eq!(text(&decision, "urgency"), "required");
    assert_eq!(text(&decision, "connectionId"), "c1");
    assert!(field(&decision, "retryAfterSeconds").is_null());
}

#[wasm_bindgen_test]
fn waiting_carries_a_number_of_seconds() {
    let decision = decide(json(r#"{"status":"DEGRADED"}"#), json(r#"{"refreshAttempts":1}"#)).unwrap();
    assert_eq!(text(&decision, "action"), "wait");
    assert_eq!(field(&decision, "retryAfterSeconds").as_f64(), Some(3600.0));
}

#[wasm_bindgen_test]
fn bad_input_is_a_coded_error_and_the_next_call_works() {
    for bad in [JsValue::NULL, JsValue::from(7), json("[]"), json("{}"), json(r#"{"status":1}"#)] {
        let error = decide(bad, JsValue::UNDEFINED).unwrap_err();
        assert_eq!(error_code(&error), "INVALID_CONNECTION");
        assert_eq!(text(&error, "name"), "MeldRepairError");
        assert_eq!(field(&error, "retryable"), JsValue::FALSE);
        assert!(decide(json(r#"{"status":"ACTIVE"}"#), JsValue::UNDEFINED).is_ok());
    }
    let error = decide(json(r#"{"status":"ACTIVE"}"#), json(r#"{"refreshAttempts":-2}"#)).unwrap_err();
    assert_eq!(error_code(&error), "INVALID_OPTIONS");
    let error = advise(json(r#"{"status":"ACTIVE"}"#), "sometime".into(), JsValue::UNDEFINED).unwrap_err();
    assert_eq!(error_code(&error), "INVALID_INTENT");
    assert!(text(&error, "message").contains("\"sometime\""));
}

#[wasm_bindgen_test]
fn explain_localises_and_accepts_app_copy() {
    let connection = json(r#"{"status":"ACTIVE","statusReason":"ACCESS_EXPIRING_SOON","institutionName":"Banco Azul"}"#);
    let spanish = explain(connection.clone(), json(r#"{"locale":"es-MX"}"#)).unwrap();
    assert_eq!(text(&spanish, "locale"), "es");
    assert_eq!(text(&spanish, "title"), "Mantén Banco Azul conectado");
    assert_eq!(text(&spanish, "severity"), "warning");

    define_copy("es".into(), json(r#"{"access_expiring_soon":{"title":"¡{institution} te extraña!"}}"#), JsValue::UNDEFINED).unwrap();
    let branded = explain(connection.clone(), json(r#"{"locale":"es"}"#)).unwrap();
    reset_copy();
    assert_eq!(text(&branded, "title"), "¡Banco Azul te extraña!");
    let error = define_copy("es".into(), json(r#"{"no_such_code":{}}"#), JsValue::UNDEFINED).unwrap_err();
    assert_eq!(error_code(&error), "INVALID_COPY");
}

#[wasm_bindgen_test]
fn advise_names_the_endpoint() {
    let connection = json(r#"{"id":"c9","status":"ACTIVE","serviceProviderDetails":{"serviceProvider":"PLAID"}}"#);
    let advice = advise(connection, "add_products".into(), json(r#"{"products":["OWNERS"]}"#)).unwrap();
    assert_eq!(text(&advice, "operation"), "update");
    assert_eq!(text(&advice, "path"), "POST /bank-linking/connections/c9/update");
}

#[wasm_bindgen_test]
fn known_situations_cover_every_row() {
    let situations: Array = known_situations();
    assert!(situations.length() >= 20);
    for situation in situations.iter() {
        assert!(decide(situation, JsValue::UNDEFINED).is_ok());
    }
}
