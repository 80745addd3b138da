//! Random ids for the rows Folio makes: a connection's (`c-…`), and the suffix that tells two
//! plans of the same name apart.

use rand::RngCore;

pub(crate) fn new_id(prefix: &str) -> String {
    let mut b = [0u8; 6];
    rand::rng().fill_bytes(&mut b);
    format!(
        "{prefix}-{}",
        b.iter().map(|x| format!("{x:02x}")).collect::<String>()
    )
}
