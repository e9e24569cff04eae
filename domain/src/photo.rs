//! The rules for photos attached to a request or to a resolution: how many, how large, which
//! kinds. The form checks them before uploading and the server checks them again on the bytes
//! it receives (where it also sniffs the real format: a declared type is only a claim).

use crate::validation::{ErrorCode, FieldError};

/// At most this many photos per submission or per action.
pub const MAX_PHOTOS: usize = 3;

/// Each photo as uploaded, before the server re-encodes it.
pub const MAX_PHOTO_BYTES: u64 = 5 * 1024 * 1024;

/// The longest side of the stored photo and of its thumbnail, in pixels.
pub const STORED_LONGEST_SIDE: u32 = 1600;
pub const THUMBNAIL_LONGEST_SIDE: u32 = 320;

/// The media types accepted, as the form's `accept` attribute lists them.
pub const ACCEPTED_TYPES: [&str; 3] = ["image/jpeg", "image/png", "image/webp"];

/// The name of the field photos are reported under.
pub const FIELD: &str = "photos";

/// Checks one photo's declared type and size; the server sniffs the content as well.
pub fn check_photo(media_type: &str, bytes: u64) -> Result<(), FieldError> {
    let media_type = media_type.split(';').next().unwrap_or("").trim();
    if !ACCEPTED_TYPES
        .iter()
        .any(|t| t.eq_ignore_ascii_case(media_type))
    {
        return Err(FieldError::new(FIELD, ErrorCode::PhotoType));
    }
    if bytes > MAX_PHOTO_BYTES {
        return Err(FieldError::new(FIELD, ErrorCode::PhotoTooLarge));
    }
    Ok(())
}

/// Checks how many photos are attached at once.
pub fn check_count(count: usize) -> Result<(), FieldError> {
    if count > MAX_PHOTOS {
        return Err(FieldError::new(FIELD, ErrorCode::TooManyPhotos));
    }
    Ok(())
}

/// The size a picture of `width`×`height` is scaled to so its longest side is at most
/// `longest`; pictures already small enough keep their size.
pub fn fit_within(width: u32, height: u32, longest: u32) -> (u32, u32) {
    let side = width.max(height);
    if side <= longest || side == 0 {
        return (width, height);
    }
    let scale = |x: u32| {
        ((u64::from(x) * u64::from(longest) + u64::from(side) / 2) / u64::from(side)).max(1) as u32
    };
    (scale(width), scale(height))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_three_kinds_up_to_five_megabytes() {
        assert!(check_photo("image/jpeg", MAX_PHOTO_BYTES).is_ok());
        assert!(check_photo("image/PNG", 1).is_ok());
        assert!(check_photo("image/webp; charset=binary", 1).is_ok());
        assert_eq!(
            check_photo("image/jpeg", MAX_PHOTO_BYTES + 1)
                .unwrap_err()
                .code,
            ErrorCode::PhotoTooLarge
        );
        assert_eq!(
            check_photo("image/gif", 10).unwrap_err().code,
            ErrorCode::PhotoType
        );
        assert_eq!(check_photo("", 10).unwrap_err().code, ErrorCode::PhotoType);
    }

    #[test]
    fn at_most_three() {
        assert!(check_count(0).is_ok());
        assert!(check_count(3).is_ok());
        assert_eq!(check_count(4).unwrap_err().code, ErrorCode::TooManyPhotos);
    }

    #[test]
    fn fits_the_longest_side_and_keeps_the_shape() {
        assert_eq!(fit_within(4000, 3000, 1600), (1600, 1200));
        assert_eq!(fit_within(3000, 4000, 320), (240, 320));
        assert_eq!(fit_within(800, 600, 1600), (800, 600));
        assert_eq!(fit_within(10000, 1, 320), (320, 1));
        assert_eq!(fit_within(0, 0, 320), (0, 0));
    }
}
