//! Small text helpers written without `format!`, whose machinery costs kilobytes of wasm.

/// `n` in decimal.
pub fn decimal(mut n: u32) -> String {
    let mut digits = Vec::new();
    loop {
        digits.push(b'0' + (n % 10) as u8);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits.iter().rev().map(|&d| d as char).collect()
}
