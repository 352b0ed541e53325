//! A page's data as JSON text, decoded by the page's view.
//!
//! A resource's value reaches the browser twice over: embedded in the server-rendered page
//! (text) and as a server function's answer (bytes). Decoding a typed value in both places puts
//! two decoders of every page type in the WASM; received as text and decoded in one place, each
//! type has one, and what receives it is the same code for every page (measured: 2 KB less in
//! the main chunk and about 3 KB less per page, over the wire). On the wire it is plain JSON,
//! exactly as the typed value would be.

use std::marker::PhantomData;

use leptos::server::codee;
use serde::{de::DeserializeOwned, Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::error::AppError;

/// A `T` as JSON text.
pub struct PageData<T> {
    json: Box<RawValue>,
    of: PhantomData<fn() -> T>,
}

impl<T: Serialize> PageData<T> {
    /// Encodes `value` (on the server).
    pub fn new(value: &T) -> Result<Self, AppError> {
        let json = serde_json::value::to_raw_value(value)
            .map_err(|e| AppError::internal("encoding page data", e))?;
        Ok(PageData {
            json,
            of: PhantomData,
        })
    }
}

impl<T> PageData<T> {
    /// Encodes `value`, of which the page decodes the part it shows as `T` (a server
    /// function's JSON may say more, for scripts and tests, than a page needs).
    pub fn of<U: Serialize>(value: &U) -> Result<Self, AppError> {
        let json = serde_json::value::to_raw_value(value)
            .map_err(|e| AppError::internal("encoding page data", e))?;
        Ok(PageData {
            json,
            of: PhantomData,
        })
    }
}

impl<T: DeserializeOwned> PageData<T> {
    /// Decodes the value: call it in the page's view, so the decoder lands in the page's chunk.
    pub fn decode(&self) -> Result<T, AppError> {
        serde_json::from_str(self.json.get())
            .map_err(|e| AppError::internal("decoding page data", e))
    }
}

/// `resource.await.decoded()`: the answer of a server function, decoded.
pub trait Decoded<T> {
    fn decoded(self) -> Result<T, AppError>;
}

/// How a page's data goes into the page it was rendered in, for hydration: as JSON, without its
/// `html`. That HTML is in the page already, where the view's `inner_html` put it, and hydrating
/// an `inner_html` keeps what the server wrote; sent twice (and escaped once more inside the
/// script), a board of 5,000 cards weighed twice as much. A server function's answer (a later
/// visit, a refresh) still carries it.
pub struct PageCodec;

impl<T: 'static> codee::Encoder<Result<PageData<T>, AppError>> for PageCodec {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(value: &Result<PageData<T>, AppError>) -> Result<String, serde_json::Error> {
        match value {
            // Only the server encodes (the browser decodes what it wrote).
            #[cfg(not(feature = "hydrate"))]
            Ok(data) => Ok(format!(r#"{{"Ok":{}}}"#, without_html(data.json.get())?)),
            _ => serde_json::to_string(value),
        }
    }
}

impl<T: 'static> codee::Decoder<Result<PageData<T>, AppError>> for PageCodec {
    type Error = serde_json::Error;
    type Encoded = str;

    /// As Leptos's own JSON codec.
    fn decode(text: &str) -> Result<Result<PageData<T>, AppError>, serde_json::Error> {
        codee::string::JsonSerdeCodec::decode(text)
    }
}

/// `json` with its top-level `html` string emptied, when it has one.
#[cfg(not(feature = "hydrate"))]
fn without_html(json: &str) -> Result<String, serde_json::Error> {
    // Values are kept as the text they are: only the keys are read.
    let Ok(mut fields) = serde_json::from_str::<std::collections::BTreeMap<&str, &RawValue>>(json)
    else {
        return Ok(json.to_string());
    };
    match fields.get_mut("html") {
        Some(html) if html.get().starts_with('"') => {
            *html = serde_json::from_str(r#""""#)?;
            serde_json::to_string(&fields)
        }
        _ => Ok(json.to_string()),
    }
}

impl<T: DeserializeOwned> Decoded<T> for Result<PageData<T>, AppError> {
    fn decoded(self) -> Result<T, AppError> {
        self.and_then(|data| data.decode())
    }
}

impl<T> Clone for PageData<T> {
    fn clone(&self) -> Self {
        PageData {
            json: self.json.clone(),
            of: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for PageData<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.json.get())
    }
}

impl<T> Serialize for PageData<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.json.serialize(serializer)
    }
}

impl<'de, T> Deserialize<'de> for PageData<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(PageData {
            json: Box::<RawValue>::deserialize(deserializer)?,
            of: PhantomData,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Show {
        name: String,
        days: u8,
    }

    #[test]
    fn on_the_wire_it_is_the_json_of_the_value_itself() {
        let show = Show {
            name: "Sirha".into(),
            days: 5,
        };
        let data = PageData::new(&show).unwrap();
        let wire = serde_json::to_string(&Ok::<_, ()>(data)).unwrap();
        assert_eq!(wire, r#"{"Ok":{"name":"Sirha","days":5}}"#);
        let back: Result<PageData<Show>, ()> = serde_json::from_str(&wire).unwrap();
        assert_eq!(back.unwrap().decode().unwrap(), show);
    }

    #[test]
    fn the_page_carries_its_html_once_the_hydration_data_leaves_it_out() {
        use codee::{Decoder, Encoder};
        let value = serde_json::json!({ "html": "<ol><li>Dupont</li></ol>", "name": "Sirha" });
        let data: Result<PageData<serde_json::Value>, AppError> =
            Ok(PageData::new(&value).unwrap());
        let text = PageCodec::encode(&data).unwrap();
        assert!(!text.contains("Dupont"), "{text}");
        let back: Result<PageData<serde_json::Value>, AppError> = PageCodec::decode(&text).unwrap();
        let back = back.unwrap().decode().unwrap();
        assert_eq!(back, serde_json::json!({ "html": "", "name": "Sirha" }));
        // Data without HTML, and errors, go as they are.
        let list: Result<PageData<Vec<u8>>, AppError> = Ok(PageData::new(&vec![1, 2]).unwrap());
        assert_eq!(PageCodec::encode(&list).unwrap(), r#"{"Ok":[1,2]}"#);
        let missing: Result<PageData<Vec<u8>>, AppError> = Err(AppError::not_found());
        let back: Result<PageData<Vec<u8>>, AppError> =
            PageCodec::decode(&PageCodec::encode(&missing).unwrap()).unwrap();
        assert_eq!(back.unwrap_err(), AppError::not_found());
    }

    #[test]
    fn text_that_is_not_the_type_is_an_error_on_decoding_not_on_receiving() {
        let data: PageData<Show> = serde_json::from_str(r#"{"name": 3}"#).unwrap();
        assert_eq!(data.decode().unwrap_err().kind.status(), 500);
    }
}
