"""ChaCha20 known answers from RFC 8439 (typed from the RFC's text), and the keystream
XOR against the block function for any length and counter."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.runtime.drivers.random.randlib import lib

RFC_KEY = bytes(range(32))  # 00:01:02:...:1f, the key of sections 2.3.2 and 2.4.2


def unhex(text: str) -> bytes:
    return bytes.fromhex(text.replace(":", " "))


def block(key: bytes, counter: int, nonce: bytes) -> bytes:
    ffi, c = lib()
    out = ffi.new("uint8_t[64]")
    c.mirage_chacha20_block(out, key, counter, nonce)
    return bytes(out)


def xor(data: bytes, key: bytes, counter: int, nonce: bytes) -> bytes:
    ffi, c = lib()
    out = ffi.new("uint8_t[]", max(len(data), 1))
    c.mirage_chacha20_xor(out, data, len(data), key, counter, nonce)
    return bytes(out)[:len(data)]


def test_rfc8439_2_3_2_block_function() -> None:
    nonce = unhex("00:00:00:09:00:00:00:4a:00:00:00:00")
    assert block(RFC_KEY, 1, nonce) == unhex("""
        10 f1 e7 e4 d1 3b 59 15 50 0f dd 1f a3 20 71 c4
        c7 d1 f4 c7 33 c0 68 03 04 22 aa 9a c3 d4 6c 4e
        d2 82 64 46 07 9f aa 09 14 c2 d7 05 d9 8b 02 a2
        b5 12 9c d1 de 16 4e b9 cb d0 83 e8 a2 50 3c 4e""")


def test_rfc8439_2_4_2_encryption() -> None:
    nonce = unhex("00:00:00:00:00:00:00:4a:00:00:00:00")
    plaintext = (b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip "
                 b"for the future, sunscreen would be it.")
    ciphertext = unhex("""
        6e 2e 35 9a 25 68 f9 80 41 ba 07 28 dd 0d 69 81
        e9 7e 7a ec 1d 43 60 c2 0a 27 af cc fd 9f ae 0b
        f9 1b 65 c5 52 47 33 ab 8f 59 3d ab cd 62 b3 57
        16 39 d6 24 e6 51 52 ab 8f 53 0c 35 9f 08 61 d8
        07 ca 0d bf 50 0d 6a 61 56 a3 8e 08 8a 22 b6 5e
        52 bc 51 4d 16 cc f8 06 81 8c e9 1a b7 79 37 36
        5a f9 0b bf 74 a3 5b e6 b4 0b 8e ed f2 78 5e 42
        87 4d""")
    assert len(plaintext) == len(ciphertext) == 114
    assert xor(plaintext, RFC_KEY, 1, nonce) == ciphertext
    assert xor(ciphertext, RFC_KEY, 1, nonce) == plaintext


def test_rfc8439_a_1_vector_1_all_zero() -> None:
    assert block(bytes(32), 0, bytes(12)) == unhex(
        "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
        "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586")


@given(st.binary(max_size=300), st.binary(min_size=32, max_size=32), st.integers(0, 2**32 - 8),
       st.binary(min_size=12, max_size=12))
def test_xor_is_the_keystream_of_consecutive_blocks(data: bytes, key: bytes, counter: int, nonce: bytes) -> None:
    stream = b"".join(block(key, counter + i, nonce) for i in range((len(data) + 63) // 64))
    assert xor(data, key, counter, nonce) == bytes(a ^ b for a, b in zip(data, stream))
