//! Turning an uploaded photo into what Linli stores: the pixels only. Every photo is decoded
//! (the real format is sniffed, the declared one is only a claim), turned upright, scaled down
//! and encoded again as JPEG, so no metadata of the original, GPS position included, survives.
//! A thumbnail is made at the same time for lists and timelines.

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageFormat, ImageReader, Limits, RgbImage};
use linli_domain::photo::{
    MAX_PHOTO_BYTES, STORED_LONGEST_SIDE, THUMBNAIL_LONGEST_SIDE, fit_within,
};
use std::io::Cursor;

/// A photo ready to be written: re-encoded, with its thumbnail.
#[derive(Debug, Clone)]
pub struct StoredPhoto {
    pub media_type: &'static str,
    pub width: u32,
    pub height: u32,
    pub image: Vec<u8>,
    pub thumbnail: Vec<u8>,
}

/// Why an upload was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoError {
    /// Over 5 MB (HTTP 413).
    TooLarge,
    /// Not JPEG, PNG or WebP, whatever it claims (HTTP 415).
    WrongType,
    /// It says it is a picture but cannot be decoded, or is absurdly large in pixels (422).
    Unreadable,
}

/// No phone takes pictures beyond this; anything larger is a decompression bomb.
const MAX_SIDE: u32 = 12_000;
const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;
const JPEG_QUALITY: u8 = 85;

/// Re-encodes one uploaded photo. CPU-bound: call it off the async runtime.
pub fn process(bytes: &[u8]) -> Result<StoredPhoto, PhotoError> {
    if bytes.len() as u64 > MAX_PHOTO_BYTES {
        return Err(PhotoError::TooLarge);
    }
    let format = image::guess_format(bytes).map_err(|_| PhotoError::WrongType)?;
    if !matches!(
        format,
        ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP
    ) {
        return Err(PhotoError::WrongType);
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|_| PhotoError::Unreadable)?;
    // Phones store pictures sideways and say so in EXIF; apply it before EXIF is dropped.
    let orientation = image::ImageDecoder::orientation(&mut decoder)
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut picture = DynamicImage::from_decoder(decoder).map_err(|_| PhotoError::Unreadable)?;
    picture.apply_orientation(orientation);

    let (w, h) = fit_within(picture.width(), picture.height(), STORED_LONGEST_SIDE);
    let stored = if (w, h) == (picture.width(), picture.height()) {
        picture
    } else {
        picture.resize_exact(w, h, image::imageops::FilterType::Triangle)
    };
    let stored = flatten(stored);
    let (tw, th) = fit_within(stored.width(), stored.height(), THUMBNAIL_LONGEST_SIDE);
    let thumbnail = image::imageops::thumbnail(&stored, tw, th);
    Ok(StoredPhoto {
        media_type: "image/jpeg",
        width: stored.width(),
        height: stored.height(),
        image: jpeg(&stored)?,
        thumbnail: jpeg(&thumbnail)?,
    })
}

/// JPEG has no transparency: transparent parts become white, as on paper.
fn flatten(picture: DynamicImage) -> RgbImage {
    if !picture.color().has_alpha() {
        return picture.into_rgb8();
    }
    let rgba = picture.into_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over_white = |c: u8| {
            let a = u16::from(a);
            ((u16::from(c) * a + 255 * (255 - a) + 127) / 255) as u8
        };
        image::Rgb([over_white(r), over_white(g), over_white(b)])
    })
}

fn jpeg(picture: &RgbImage) -> Result<Vec<u8>, PhotoError> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .encode_image(picture)
        .map_err(|_| PhotoError::Unreadable)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageEncoder, Rgba, RgbaImage};

    fn png(width: u32, height: u32) -> Vec<u8> {
        let picture = RgbaImage::from_fn(width, height, |x, y| {
            Rgba([
                (x % 256) as u8,
                (y % 256) as u8,
                90,
                if x < width / 2 { 255 } else { 0 },
            ])
        });
        let mut out = Vec::new();
        image::codecs::png::PngEncoder::new(&mut out)
            .write_image(&picture, width, height, image::ExtendedColorType::Rgba8)
            .unwrap();
        out
    }

    #[test]
    fn large_pictures_are_scaled_down_and_become_jpeg() {
        let stored = process(&png(2400, 1200)).unwrap();
        assert_eq!((stored.width, stored.height), (1600, 800));
        assert_eq!(stored.media_type, "image/jpeg");
        assert!(stored.image.starts_with(&[0xFF, 0xD8]));
        let thumb = image::load_from_memory(&stored.thumbnail).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (320, 160));
    }

    #[test]
    fn transparent_parts_turn_white() {
        let stored = process(&png(40, 20)).unwrap();
        let picture = image::load_from_memory(&stored.image).unwrap().into_rgb8();
        let right = picture.get_pixel(35, 10).0;
        assert!(right.iter().all(|c| *c > 240), "{right:?}");
    }

    #[test]
    fn other_formats_and_garbage_are_refused() {
        let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;";
        assert_eq!(process(gif).unwrap_err(), PhotoError::WrongType);
        assert_eq!(process(b"hello").unwrap_err(), PhotoError::WrongType);
        let mut truncated = png(50, 50);
        truncated.truncate(60);
        assert_eq!(process(&truncated).unwrap_err(), PhotoError::Unreadable);
        let huge = vec![0u8; MAX_PHOTO_BYTES as usize + 1];
        assert_eq!(process(&huge).unwrap_err(), PhotoError::TooLarge);
    }
}
