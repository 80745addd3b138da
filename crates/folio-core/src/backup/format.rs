//! The backup file (ADR 0011): a clear header, then the content sealed in chunks.
//!
//! ```text
//! "FOLIOBAK"                       8 bytes, the magic
//! header length                    u32, big-endian
//! header                           JSON: format version, Argon2id parameters and salt, the
//!                                  cipher, the chunk size, the STREAM nonce prefix, a key check
//! SHA-256 of the header            32 bytes (tells a damaged header from a wrong passphrase)
//! chunks                           XChaCha20-Poly1305 in the STREAM construction (big-endian
//!                                  32-bit counter, last-chunk flag), each CHUNK bytes of content
//!                                  + 16-byte tag, the last one shorter (or empty); every chunk's
//!                                  associated data is magic + length + header, so the header
//!                                  is authenticated too
//! ```
//!
//! The passphrase goes through Argon2id to 64 bytes: the first 32 are the content key, the
//! last 32 the key check kept in the header (as costly to guess from as the content; it lets
//! a wrong passphrase be told apart from a damaged file). Cutting, reordering, swapping or
//! appending chunks fails authentication (STREAM's counter and last flag).

use std::io::{self, Read, Write};

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::generic_array::GenericArray;
use chacha20poly1305::aead::stream::{DecryptorBE32, EncryptorBE32};
use chacha20poly1305::{KeyInit, XChaCha20Poly1305};
use folio_secrets::Sensitive;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

const MAGIC: &[u8; 8] = b"FOLIOBAK";
/// The container's format version; a later Folio reads every earlier one.
pub(crate) const FORMAT: u32 = 1;
const CIPHER: &str = "xchacha20poly1305-stream-be32";
/// Content bytes per chunk.
const CHUNK: usize = 64 * 1024;
const TAG: usize = 16;
const NONCE_PREFIX: usize = 19;
const SALT: usize = 16;
const MAX_HEADER: u32 = 16 * 1024;

/// Argon2id at 64 MiB, three passes, one lane (about half a second on a laptop; RFC 9106's
/// second recommended option uses 64 MiB with three passes too).
const MEMORY_KIB: u32 = 64 * 1024;
const ITERATIONS: u32 = 3;
const LANES: u32 = 1;
/// What a file may ask for: enough for any later default, not a way to exhaust memory.
const MAX_MEMORY_KIB: u32 = 1024 * 1024;
const MAX_ITERATIONS: u32 = 64;
const MAX_LANES: u32 = 16;

/// Why a file could not be opened as a backup.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FormatError {
    #[error("not a Folio backup")]
    NotABackup,
    #[error("made by a newer Folio (format {0})")]
    Newer(u32),
    #[error("the passphrase does not open it")]
    WrongPassphrase,
    #[error("damaged or incomplete")]
    Damaged,
    #[error(transparent)]
    Io(#[from] io::Error),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Header {
    format: u32,
    kdf: Kdf,
    cipher: String,
    chunk_bytes: u32,
    nonce_prefix: String,
    key_check: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Kdf {
    algorithm: String,
    version: u32,
    memory_kib: u32,
    iterations: u32,
    lanes: u32,
    salt: String,
}

fn b64(bytes: &[u8]) -> String {
    base64::Engine::encode(&base64::engine::general_purpose::STANDARD, bytes)
}

fn unb64(text: &str) -> Result<Vec<u8>, FormatError> {
    base64::Engine::decode(&base64::engine::general_purpose::STANDARD, text)
        .map_err(|_| FormatError::Damaged)
}

/// The content key and the key check, from the passphrase.
struct Derived {
    key: [u8; 32],
    check: [u8; 32],
}

impl Drop for Derived {
    fn drop(&mut self) {
        self.key.fill(0);
    }
}

fn derive(passphrase: &Sensitive<String>, kdf: &Kdf) -> Result<Derived, FormatError> {
    let salt = unb64(&kdf.salt)?;
    let params = Params::new(kdf.memory_kib, kdf.iterations, kdf.lanes, Some(64))
        .map_err(|_| FormatError::Damaged)?;
    let mut out = [0u8; 64];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.expose().as_bytes(), &salt, &mut out)
        .map_err(|_| FormatError::Damaged)?;
    let mut derived = Derived {
        key: [0; 32],
        check: [0; 32],
    };
    derived.key.copy_from_slice(&out[..32]);
    derived.check.copy_from_slice(&out[32..]);
    out.fill(0);
    Ok(derived)
}

/// A sealed backup being written: content goes in through `Write`, a chunk at a time.
pub(crate) struct Sealer<W: Write> {
    out: W,
    aad: Vec<u8>,
    stream: Option<EncryptorBE32<XChaCha20Poly1305>>,
    buf: Vec<u8>,
}

impl<W: Write> Sealer<W> {
    /// Stretches the passphrase (slow on purpose: call off the async threads) and writes the
    /// header.
    pub(crate) fn new(mut out: W, passphrase: &Sensitive<String>) -> Result<Self, FormatError> {
        let mut salt = [0u8; SALT];
        let mut nonce = [0u8; NONCE_PREFIX];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut salt);
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut nonce);
        let kdf = Kdf {
            algorithm: "argon2id".into(),
            version: 0x13,
            memory_kib: MEMORY_KIB,
            iterations: ITERATIONS,
            lanes: LANES,
            salt: b64(&salt),
        };
        let derived = derive(passphrase, &kdf)?;
        let header = Header {
            format: FORMAT,
            kdf,
            cipher: CIPHER.into(),
            chunk_bytes: CHUNK as u32,
            nonce_prefix: b64(&nonce),
            key_check: b64(&derived.check),
        };
        let json = serde_json::to_vec(&header).map_err(|e| FormatError::Io(io::Error::other(e)))?;
        let mut aad = Vec::with_capacity(12 + json.len());
        aad.extend_from_slice(MAGIC);
        aad.extend_from_slice(&(json.len() as u32).to_be_bytes());
        aad.extend_from_slice(&json);
        out.write_all(&aad)?;
        out.write_all(&Sha256::digest(&json))?;
        let aead = XChaCha20Poly1305::new(GenericArray::from_slice(&derived.key));
        let stream = EncryptorBE32::from_aead(aead, GenericArray::from_slice(&nonce));
        Ok(Self {
            out,
            aad,
            stream: Some(stream),
            buf: Vec::with_capacity(CHUNK + TAG),
        })
    }

    fn seal_full_chunks(&mut self) -> io::Result<()> {
        while self.buf.len() >= CHUNK {
            let rest = self.buf.split_off(CHUNK);
            let stream = self.stream.as_mut().ok_or_else(finished)?;
            stream
                .encrypt_next_in_place(&self.aad, &mut self.buf)
                .map_err(|_| io::Error::other("encryption failed"))?;
            self.out.write_all(&self.buf)?;
            self.buf = rest;
            self.buf.reserve(CHUNK + TAG);
        }
        Ok(())
    }

    /// Seals what is left as the last chunk and hands back the writer.
    pub(crate) fn finish(mut self) -> io::Result<W> {
        self.seal_full_chunks()?;
        let stream = self.stream.take().ok_or_else(finished)?;
        stream
            .encrypt_last_in_place(&self.aad, &mut self.buf)
            .map_err(|_| io::Error::other("encryption failed"))?;
        self.out.write_all(&self.buf)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

fn finished() -> io::Error {
    io::Error::other("the backup was already finished")
}

impl<W: Write> Write for Sealer<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.seal_full_chunks()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A header read and checked against the passphrase, ready to stretch it.
pub(crate) struct Opened<R: Read> {
    input: R,
    header: Header,
    aad: Vec<u8>,
}

/// Reads and checks the clear part of a backup: magic, format, header digest. Nothing secret
/// is needed yet.
pub(crate) fn open<R: Read>(mut input: R) -> Result<Opened<R>, FormatError> {
    let mut magic = [0u8; 8];
    read_exact_or(&mut input, &mut magic, FormatError::NotABackup)?;
    if &magic != MAGIC {
        return Err(FormatError::NotABackup);
    }
    let mut len = [0u8; 4];
    read_exact_or(&mut input, &mut len, FormatError::Damaged)?;
    let len = u32::from_be_bytes(len);
    if len == 0 || len > MAX_HEADER {
        return Err(FormatError::Damaged);
    }
    let mut json = vec![0u8; len as usize];
    read_exact_or(&mut input, &mut json, FormatError::Damaged)?;
    let mut digest = [0u8; 32];
    read_exact_or(&mut input, &mut digest, FormatError::Damaged)?;
    if Sha256::digest(&json).as_slice() != digest {
        return Err(FormatError::Damaged);
    }
    // The format first, so a newer file is named as such even if its header changed shape.
    let version: serde_json::Value =
        serde_json::from_slice(&json).map_err(|_| FormatError::Damaged)?;
    match version.get("format").and_then(serde_json::Value::as_u64) {
        Some(v) if v == u64::from(FORMAT) => {}
        Some(v) if v > u64::from(FORMAT) => {
            return Err(FormatError::Newer(u32::try_from(v).unwrap_or(u32::MAX)))
        }
        _ => return Err(FormatError::Damaged),
    }
    let header: Header = serde_json::from_value(version).map_err(|_| FormatError::Damaged)?;
    let k = &header.kdf;
    if header.cipher != CIPHER
        || header.chunk_bytes as usize != CHUNK
        || k.algorithm != "argon2id"
        || k.version != 0x13
        || k.memory_kib > MAX_MEMORY_KIB
        || k.iterations > MAX_ITERATIONS
        || k.lanes > MAX_LANES
    {
        return Err(FormatError::Damaged);
    }
    let mut aad = Vec::with_capacity(12 + json.len());
    aad.extend_from_slice(MAGIC);
    aad.extend_from_slice(&len.to_be_bytes());
    aad.extend_from_slice(&json);
    Ok(Opened { input, header, aad })
}

fn read_exact_or<R: Read>(
    input: &mut R,
    buf: &mut [u8],
    short: FormatError,
) -> Result<(), FormatError> {
    match input.read_exact(buf) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Err(short),
        Err(e) => Err(FormatError::Io(e)),
    }
}

impl<R: Read> Opened<R> {
    /// Stretches the passphrase (slow on purpose: call off the async threads) and checks it.
    pub(crate) fn unseal(self, passphrase: &Sensitive<String>) -> Result<Unsealer<R>, FormatError> {
        let derived = derive(passphrase, &self.header.kdf)?;
        let check = unb64(&self.header.key_check)?;
        if check.as_slice() != derived.check {
            return Err(FormatError::WrongPassphrase);
        }
        let nonce = unb64(&self.header.nonce_prefix)?;
        if nonce.len() != NONCE_PREFIX {
            return Err(FormatError::Damaged);
        }
        let aead = XChaCha20Poly1305::new(GenericArray::from_slice(&derived.key));
        let stream = DecryptorBE32::from_aead(aead, GenericArray::from_slice(&nonce));
        Ok(Unsealer {
            input: self.input,
            aad: self.aad,
            stream: Some(stream),
            plain: Vec::new(),
            at: 0,
            carry: None,
        })
    }
}

/// The content of a backup, authenticated a chunk at a time as it is read. A chunk that fails
/// (a flipped byte, a cut, a swap) is an error of kind `InvalidData` carrying
/// [`FormatError::Damaged`]; nothing after it is read.
pub(crate) struct Unsealer<R: Read> {
    input: R,
    aad: Vec<u8>,
    stream: Option<DecryptorBE32<XChaCha20Poly1305>>,
    plain: Vec<u8>,
    at: usize,
    /// A byte read past a full chunk to learn whether it was the last.
    carry: Option<u8>,
}

fn damaged() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, FormatError::Damaged)
}

impl<R: Read> Unsealer<R> {
    /// Reads, authenticates and decrypts the next chunk into `plain`; `false` after the last.
    fn next_chunk(&mut self) -> io::Result<bool> {
        let Some(stream) = self.stream.as_mut() else {
            return Ok(false);
        };
        let mut chunk = Vec::with_capacity(CHUNK + TAG);
        if let Some(b) = self.carry.take() {
            chunk.push(b);
        }
        let want = (CHUNK + TAG) as u64 - chunk.len() as u64;
        (&mut self.input).take(want).read_to_end(&mut chunk)?;
        let mut last = chunk.len() < CHUNK + TAG;
        if !last {
            let mut one = [0u8; 1];
            match self.input.read(&mut one)? {
                0 => last = true,
                _ => self.carry = Some(one[0]),
            }
        }
        if last {
            let stream = self.stream.take().ok_or_else(damaged)?;
            stream
                .decrypt_last_in_place(&self.aad, &mut chunk)
                .map_err(|_| damaged())?;
        } else {
            stream
                .decrypt_next_in_place(&self.aad, &mut chunk)
                .map_err(|_| damaged())?;
        }
        self.plain = chunk;
        self.at = 0;
        Ok(true)
    }
}

impl<R: Read> Read for Unsealer<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.at == self.plain.len() {
            if !self.next_chunk()? {
                return Ok(0);
            }
        }
        let n = out.len().min(self.plain.len() - self.at);
        out[..n].copy_from_slice(&self.plain[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn pass(p: &str) -> Sensitive<String> {
        Sensitive::new(p.into())
    }

    fn seal(content: &[u8]) -> Vec<u8> {
        let mut s = Sealer::new(Vec::new(), &pass("correct horse battery")).unwrap();
        s.write_all(content).unwrap();
        s.finish().unwrap()
    }

    fn unseal(file: &[u8], p: &str) -> Result<Vec<u8>, FormatError> {
        let mut r = open(file)?.unseal(&pass(p))?;
        let mut out = Vec::new();
        r.read_to_end(&mut out).map_err(|e| {
            if e.kind() == io::ErrorKind::InvalidData {
                FormatError::Damaged
            } else {
                FormatError::Io(e)
            }
        })?;
        Ok(out)
    }

    fn content(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 % 251) as u8).collect()
    }

    #[test]
    fn content_of_any_length_comes_back() {
        for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 5] {
            let c = content(len);
            assert_eq!(
                unseal(&seal(&c), "correct horse battery").unwrap(),
                c,
                "{len}"
            );
        }
    }

    #[test]
    fn a_wrong_passphrase_is_named_as_such() {
        let file = seal(b"hello");
        assert!(matches!(
            unseal(&file, "wrong horse battery"),
            Err(FormatError::WrongPassphrase)
        ));
    }

    #[test]
    fn cutting_whole_chunks_or_bytes_or_appending_is_damage() {
        let file = seal(&content(3 * CHUNK + 5));
        let body = file.len() - (3 * (CHUNK + TAG) + 5 + TAG);
        for cut in [
            body + CHUNK + TAG,       // after the first chunk
            body + 3 * (CHUNK + TAG), // after the third, the last one missing
            file.len() - 1,           // a byte short
        ] {
            assert!(
                matches!(
                    unseal(&file[..cut], "correct horse battery"),
                    Err(FormatError::Damaged)
                ),
                "cut at {cut}"
            );
        }
        let mut longer = file.clone();
        longer.push(0);
        assert!(matches!(
            unseal(&longer, "correct horse battery"),
            Err(FormatError::Damaged)
        ));
    }

    #[test]
    fn reordered_chunks_are_damage() {
        let file = seal(&content(3 * CHUNK));
        let body = file.len() - (3 * (CHUNK + TAG) + TAG);
        let mut swapped = file[..body].to_vec();
        swapped.extend_from_slice(&file[body + CHUNK + TAG..body + 2 * (CHUNK + TAG)]);
        swapped.extend_from_slice(&file[body..body + CHUNK + TAG]);
        swapped.extend_from_slice(&file[body + 2 * (CHUNK + TAG)..]);
        assert!(matches!(
            unseal(&swapped, "correct horse battery"),
            Err(FormatError::Damaged)
        ));
    }

    #[test]
    fn a_header_from_a_newer_folio_or_not_a_backup_is_named() {
        assert!(matches!(
            open(&b"{\"resourceType\":\"Bundle\"}"[..]),
            Err(FormatError::NotABackup)
        ));
        let json = br#"{"format":2}"#;
        let mut file = MAGIC.to_vec();
        file.extend_from_slice(&(json.len() as u32).to_be_bytes());
        file.extend_from_slice(json);
        file.extend_from_slice(&Sha256::digest(json));
        assert!(matches!(open(&file[..]), Err(FormatError::Newer(2))));
    }
}
