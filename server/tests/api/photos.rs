//! Photos: sent with a request or a resolution, re-encoded without any metadata, shown only to
//! the author and staff; the wrong kind, size or number is refused and nothing is written.

use crate::helpers::{TestApp, assert_problem, field_errors, spawn_app};
use crate::requests::{STAFF, act_ok, repair, signed_in};
use image::{ImageEncoder, RgbImage};
use reqwest::StatusCode;
use serde_json::{Value, json};

const OWNER: &str = "13900000001";
const TENANT: &str = "13900000002";
/// What a phone writes into a photo and must never reach anyone else.
const GPS_MARK: &[u8] = b"GPSLatitude=30.27412N;GPSLongitude=120.15515E";

/// A real JPEG from a camera, as far as its metadata goes: an EXIF segment with a position.
pub(crate) fn camera_jpeg(width: u32, height: u32) -> Vec<u8> {
    let picture = RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, 128])
    });
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 90)
        .write_image(&picture, width, height, image::ExtendedColorType::Rgb8)
        .unwrap();
    // APP1: "Exif\0\0", a big-endian TIFF header with an empty IFD, then the position.
    let mut exif = b"Exif\0\0MM\0*\0\0\0\x08\0\0\0\0\0\0".to_vec();
    exif.extend_from_slice(GPS_MARK);
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE1];
    jpeg.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    jpeg.extend_from_slice(&exif);
    jpeg.extend_from_slice(&plain[2..]);
    jpeg
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

async fn written(app: &TestApp) -> (i64, i64, i64) {
    (
        app.count("service_requests", "").await,
        app.count("request_events", "").await,
        app.count("request_photos", "").await,
    )
}

#[tokio::test]
async fn a_photo_is_stored_without_its_metadata_and_shown_only_to_those_involved() {
    let app = spawn_app().await;
    let owner = signed_in(&app, OWNER).await;
    let original = camera_jpeg(2000, 1000);
    assert!(contains(&original, GPS_MARK) && contains(&original, b"Exif"));
    let resp = owner
        .post_with_photos(
            "/requests",
            &repair("楼道墙皮脱落"),
            &[("image/jpeg", original)],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let detail: Value = resp.json().await.unwrap();
    let id = detail["summary"]["id"].as_i64().unwrap();
    let photos = detail["timeline"][0]["photos"].as_array().unwrap().clone();
    assert_eq!(detail["timeline"][0]["action"], "submit");
    assert_eq!(photos.len(), 1);
    let photo = photos[0].as_i64().unwrap();

    let resp = owner.get(&format!("/photos/{photo}")).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(crate::helpers::content_type(&resp), "image/jpeg");
    assert!(
        resp.headers()["cache-control"]
            .to_str()
            .unwrap()
            .starts_with("private")
    );
    let stored = resp.bytes().await.unwrap();
    assert!(!contains(&stored, GPS_MARK), "the position survived");
    assert!(!contains(&stored, b"Exif"), "EXIF survived");
    let picture = image::load_from_memory(&stored).unwrap();
    assert_eq!((picture.width(), picture.height()), (1600, 800));
    let thumb = owner.get(&format!("/photos/{photo}?thumbnail=true")).await;
    let thumb = image::load_from_memory(&thumb.bytes().await.unwrap()).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (320, 160));

    // Staff see it; another resident and the public do not.
    let staff = signed_in(&app, STAFF).await;
    assert_eq!(
        staff.get(&format!("/photos/{photo}")).await.status(),
        StatusCode::OK
    );
    let tenant = signed_in(&app, TENANT).await;
    assert_problem(
        tenant.get(&format!("/photos/{photo}")).await,
        404,
        "not_found",
    )
    .await;
    let visitor = app.new_browser();
    assert_problem(
        visitor.get(&format!("/photos/{photo}")).await,
        401,
        "unauthorized",
    )
    .await;

    // Staff resolve with a photo of the work done; it joins that timeline entry.
    act_ok(&staff, id, json!({ "action": "accept" })).await;
    act_ok(
        &staff,
        id,
        json!({ "action": "dispatch", "handler": "网格员 王芳" }),
    )
    .await;
    act_ok(&staff, id, json!({ "action": "start" })).await;
    let resp = staff
        .post_with_photos(
            &format!("/requests/{id}/actions"),
            &json!({ "action": "resolve", "note": "已重新粉刷" }),
            &[("image/jpeg", camera_jpeg(400, 300))],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let detail: Value = resp.json().await.unwrap();
    let last = detail["timeline"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["action"], "resolve");
    assert_eq!(last["photos"].as_array().unwrap().len(), 1);
    assert_eq!(
        app.count("request_photos", &format!("request_id = {id}"))
            .await,
        2
    );
}

#[tokio::test]
async fn wrong_kind_size_or_number_of_photos_is_refused_and_nothing_is_written() {
    let app = spawn_app().await;
    let owner = signed_in(&app, OWNER).await;
    let before = written(&app).await;
    let small = || ("image/jpeg", camera_jpeg(64, 48));

    let too_many = owner
        .post_with_photos(
            "/requests",
            &repair("四张照片"),
            &[small(), small(), small(), small()],
        )
        .await;
    let body = assert_problem(too_many, 422, "too_many_photos").await;
    assert_eq!(
        field_errors(&body),
        [("photos".to_owned(), "too_many_photos".to_owned())]
    );

    // A GIF, even when it says it is a JPEG: the content decides.
    let gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;".to_vec();
    let resp = owner
        .post_with_photos(
            "/requests",
            &repair("动图"),
            &[small(), ("image/jpeg", gif)],
        )
        .await;
    assert_problem(resp, 415, "photo_type").await;

    let mut huge = camera_jpeg(64, 48);
    huge.resize(5 * 1024 * 1024 + 1, 0);
    let resp = owner
        .post_with_photos("/requests", &repair("太大"), &[("image/jpeg", huge)])
        .await;
    assert_problem(resp, 413, "photo_too_large").await;

    let mut broken = camera_jpeg(64, 48);
    broken.truncate(200);
    let resp = owner
        .post_with_photos("/requests", &repair("坏图"), &[("image/jpeg", broken)])
        .await;
    assert_problem(resp, 422, "photo_unreadable").await;

    // A valid photo with an invalid request: the photo is not kept either.
    let resp = owner
        .post_with_photos(
            "/requests",
            &json!({ "category": "nope", "title": "x" }),
            &[small()],
        )
        .await;
    assert_problem(resp, 422, "category_unknown").await;

    // The body part is required, and must be the request's JSON.
    let form = reqwest::multipart::Form::new().text("note", "hello");
    let resp = owner
        .client
        .post(owner.api("/requests"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_problem(resp, 400, "malformed_body").await;
    assert_eq!(written(&app).await, before);
}
