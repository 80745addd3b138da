//! QR codes: made with `qrcode` (error correction M, as the specification asks of links) and
//! written as PNG through `image`; read from a PNG or JPEG with `rqrr`.

use crate::ShlError;

/// Pixels per QR module in the PNG.
const MODULE_PIXELS: u32 = 6;

/// A PNG of a QR code holding `text`.
pub fn qr_png(text: &str) -> Result<Vec<u8>, ShlError> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| ShlError::Image(e.to_string()))?;
    let image = code
        .render::<image::Luma<u8>>()
        .module_dimensions(MODULE_PIXELS, MODULE_PIXELS)
        .quiet_zone(true)
        .build();
    let mut png = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut png, image::ImageFormat::Png)
        .map_err(|e| ShlError::Image(e.to_string()))?;
    Ok(png.into_inner())
}

/// The text of every QR code found in an image (PNG or JPEG).
pub fn read_qr(image_bytes: &[u8]) -> Result<Vec<String>, ShlError> {
    let image = image::load_from_memory(image_bytes)
        .map_err(|e| ShlError::Image(e.to_string()))?
        .to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let texts: Vec<String> = prepared
        .detect_grids()
        .into_iter()
        .filter_map(|g| g.decode().ok().map(|(_, text)| text))
        .collect();
    if texts.is_empty() {
        return Err(ShlError::NoQrCode);
    }
    Ok(texts)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_code_made_reads_back() {
        let text = format!("shlink:/{}", "A".repeat(200));
        let png = qr_png(&text).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        assert_eq!(read_qr(&png).unwrap(), vec![text]);
    }

    #[test]
    fn an_image_without_a_code_says_so() {
        let blank = image::GrayImage::from_pixel(64, 64, image::Luma([255u8]));
        let mut png = std::io::Cursor::new(Vec::new());
        blank.write_to(&mut png, image::ImageFormat::Png).unwrap();
        assert_eq!(read_qr(&png.into_inner()), Err(ShlError::NoQrCode));
        assert!(matches!(read_qr(b"not an image"), Err(ShlError::Image(_))));
    }
}
