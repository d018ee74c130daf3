#!/usr/bin/python3
"""Writes the seed corpora under fuzz/corpus/<target>/ (committed; rerun after changing it).

Each seed is a small, hand-built input in the layout the target expects (see
chunked_input.hpp): [config][extra:4 k:4][stream][k size bytes]. The seeds cover every opcode, fragmented
messages with control frames between fragments, close frames, invalid UTF-8, the limits, and for
the client session a server preface with ENABLE_CONNECT_PROTOCOL, a HEADERS :status 200 and DATA
frames carrying websocket frames. Only the standard library is used.

    /usr/bin/python3 fuzz/make_seeds.py
"""

import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

# --- RFC 6455 -------------------------------------------------------------------------------

CONT, TEXT, BINARY, CLOSE, PING, PONG = 0, 1, 2, 8, 9, 10


def ws_frame(op, payload=b"", fin=True, mask=None, rsv=0, length_form=None):
    """One websocket frame. mask: 4-byte key or None. length_form forces 16/64-bit lengths."""
    b0 = (0x80 if fin else 0) | (rsv << 4) | op
    n = len(payload)
    mbit = 0x80 if mask is not None else 0
    if length_form == 64 or (length_form is None and n > 0xFFFF):
        head = bytes([b0, mbit | 127]) + struct.pack(">Q", n)
    elif length_form == 16 or (length_form is None and n > 125):
        head = bytes([b0, mbit | 126]) + struct.pack(">H", n)
    else:
        head = bytes([b0, mbit | n])
    if mask is None:
        return head + payload
    return head + mask + bytes(c ^ mask[i % 4] for i, c in enumerate(payload))


def close_payload(code, reason=b""):
    return struct.pack(">H", code) + reason


def seed(config, stream, sizes=(), extra=0):
    """[config][extra:4 k:4][stream][sizes]: k size bytes at the end, piece i is
    sizes[i % k] + 1 bytes; extra is the target's second nibble of switches."""
    assert len(sizes) <= 15 and extra <= 15
    return bytes([config, extra << 4 | len(sizes)]) + stream + bytes(sizes)


# --- RFC 9113 / RFC 7541 --------------------------------------------------------------------

DATA, HEADERS, RST_STREAM, SETTINGS, PING_H2, GOAWAY, WINDOW_UPDATE = 0, 1, 3, 4, 6, 7, 8
END_STREAM, ACK, END_HEADERS, PADDED = 0x1, 0x1, 0x4, 0x8


def h2_frame(ftype, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack(">I", stream) + payload


def settings(*pairs):
    return h2_frame(SETTINGS, 0, 0, b"".join(struct.pack(">HI", k, v) for k, v in pairs))


SERVER_PREFACE = settings((0x8, 1)) + h2_frame(SETTINGS, ACK, 0)  # ENABLE_CONNECT_PROTOCOL=1, ACK
NO_CONNECT_PREFACE = settings((0x3, 100)) + h2_frame(SETTINGS, ACK, 0)
STATUS_200_INDEXED = b"\x88"  # static table entry 8 is ":status: 200"


def literal(name, value):
    """Literal header field without indexing, new name (RFC 7541 6.2.2), no Huffman."""
    return b"\x00" + bytes([len(name)]) + name + bytes([len(value)]) + value


def status_literal(code):
    """Literal without indexing, name from static entry 8 (:status)."""
    return b"\x08" + bytes([len(code)]) + code


def headers(stream, block, end_stream=False):
    return h2_frame(HEADERS, END_HEADERS | (END_STREAM if end_stream else 0), stream, block)


def data(stream, payload, end_stream=False):
    return h2_frame(DATA, END_STREAM if end_stream else 0, stream, payload)


# --- corpora --------------------------------------------------------------------------------

def reader_seeds():
    m = b"\x37\xfa\x21\x3d"
    s = {}
    # config bit 0: 0 = client (unmasked input), 1 = server (masked input)
    s["text"] = seed(0, ws_frame(TEXT, b"Hello"))
    s["binary"] = seed(0, ws_frame(BINARY, bytes(range(16))))
    s["empty_text"] = seed(0, ws_frame(TEXT))
    s["ping_pong"] = seed(0, ws_frame(PING, b"are you there") + ws_frame(PONG, b"yes"))
    s["close_1000_reason"] = seed(0, ws_frame(CLOSE, close_payload(1000, b"bye")))
    s["close_empty"] = seed(0, ws_frame(CLOSE))
    s["close_then_data"] = seed(
        0, ws_frame(CLOSE, close_payload(1001)) + ws_frame(TEXT, b"late"))
    s["fragmented_text_ping_between"] = seed(
        0, ws_frame(TEXT, b"Hel", fin=False) + ws_frame(PING, b"p") + ws_frame(CONT, b"lo"))
    s["fragmented_binary_3"] = seed(
        0, ws_frame(BINARY, b"a", fin=False) + ws_frame(CONT, b"b", fin=False) + ws_frame(CONT, b"c"))
    s["utf8_split_across_fragments"] = seed(
        0, ws_frame(TEXT, "caf".encode() + b"\xc3", fin=False) + ws_frame(CONT, b"\xa9!"))
    s["utf8_4byte"] = seed(0, ws_frame(TEXT, "\U0001F600 \u20ac".encode()))
    s["len16"] = seed(0, ws_frame(BINARY, b"x" * 300))
    s["len64_nonminimal"] = seed(0, ws_frame(BINARY, b"y" * 20, length_form=64))
    s["server_masked_text"] = seed(1, ws_frame(TEXT, b"masked hello", mask=m))
    s["server_masked_fragments_close"] = seed(
        1, ws_frame(TEXT, b"frag", fin=False, mask=m) + ws_frame(PING, b"", mask=m)
        + ws_frame(CONT, b"ment", mask=m) + ws_frame(CLOSE, close_payload(1000, b"ok"), mask=m))
    s["server_unmasked_rejected"] = seed(1, ws_frame(TEXT, b"no mask"))
    s["client_masked_rejected"] = seed(0, ws_frame(TEXT, b"masked", mask=m))
    deflated_hello = b"\xf2\x48\xcd\xc9\xc9\x07\x00"
    s["rsv1_compressed_allowed"] = seed(8, ws_frame(TEXT, deflated_hello, rsv=4))
    s["rsv1_not_allowed"] = seed(0, ws_frame(TEXT, b"x", rsv=4))
    s["rsv2"] = seed(0, ws_frame(BINARY, b"x", rsv=2))
    s["reserved_opcode"] = seed(0, ws_frame(3, b"x"))
    s["ping_fragmented"] = seed(0, ws_frame(PING, b"x", fin=False))
    s["ping_too_long"] = seed(0, ws_frame(PING, b"z" * 126))
    s["continuation_first"] = seed(0, ws_frame(CONT, b"x"))
    s["data_inside_message"] = seed(0, ws_frame(TEXT, b"a", fin=False) + ws_frame(TEXT, b"b"))
    s["invalid_utf8_overlong"] = seed(0, ws_frame(TEXT, b"\xc0\xaf"))
    s["invalid_utf8_surrogate"] = seed(0, ws_frame(TEXT, b"\xed\xa0\x80"))
    s["invalid_utf8_truncated"] = seed(0, ws_frame(TEXT, b"ok\xe2\x82"))
    s["close_code_1005_on_wire"] = seed(0, ws_frame(CLOSE, close_payload(1005)))
    s["close_one_byte"] = seed(0, ws_frame(CLOSE, b"\x03"))
    s["close_bad_utf8_reason"] = seed(0, ws_frame(CLOSE, close_payload(1000, b"\xff")))
    s["close_code_4999"] = seed(0, ws_frame(CLOSE, close_payload(4999, b"app")))
    s["len64_top_bit"] = seed(0, bytes([0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1]))
    # Limits (bits 1-2): 1 = 64-byte messages, 2 = 16-byte frames, 3 = 125-byte frames only.
    s["limit_message_too_big"] = seed(2, ws_frame(BINARY, b"q" * 100))
    s["limit_fragments_too_big"] = seed(
        2, ws_frame(BINARY, b"q" * 40, fin=False) + ws_frame(CONT, b"q" * 40))
    s["limit_frame_too_big"] = seed(4, ws_frame(BINARY, b"f" * 17))
    s["limit_frame_ok_fragments"] = seed(
        4 | 0x40, ws_frame(TEXT, b"f" * 16, fin=False) + ws_frame(CONT, b"g" * 16))
    # Pieces (sizes at the end) and drain policies (bits 4-5), round trip fragments (bits 6-7).
    mixed = (ws_frame(TEXT, b"Hel", fin=False) + ws_frame(PING, b"1234") + ws_frame(CONT, b"lo")
             + ws_frame(BINARY, b"z" * 130) + ws_frame(CLOSE, close_payload(1000)))
    s["pieces_1_byte"] = seed(0, mixed, [0])
    s["pieces_mixed_drain_one"] = seed(0x10 | 0x80, mixed, [1, 0, 4, 13])
    s["pieces_drain_at_end"] = seed(0x20 | 0xC0, mixed, [2, 6])
    s["server_pieces"] = seed(
        1 | 0x40, ws_frame(TEXT, b"split mask key", mask=m) + ws_frame(PONG, b"x", mask=m), [0, 2, 3])
    s["empty_feeds"] = seed(0, mixed, [3, 1], extra=1)
    return s


def utf8_seeds():
    s = {}
    texts = {
        "ascii": b"hello, world",
        "two_byte": "caf\u00e9 \u00fc".encode(),
        "three_byte": "\u20ac\u2603\uffff".encode(),
        "four_byte": "\U0001F600\U0010FFFF".encode(),
        "mixed": "a\u00e9\u20ac\U0001F600z".encode(),
        "overlong_c0": b"\xc0\xaf",
        "overlong_e0": b"\xe0\x80\xaf",
        "overlong_f0": b"\xf0\x80\x80\xaf",
        "surrogate": b"\xed\xa0\x80",
        "above_10ffff": b"\xf4\x90\x80\x80",
        "f5": b"\xf5\x80\x80\x80",
        "stray_continuation": b"a\x80b",
        "truncated": b"ok\xe2\x82",
        "lead_after_lead": b"\xe2\xe2\x82\xac",
        "nul": b"\x00\x00",
    }
    for name, t in texts.items():
        s[name] = bytes([128]) + t  # cut in the middle
    s["split_inside_char"] = bytes([100]) + "\u20ac\u20ac".encode()  # 6 bytes, cut at 2
    s["split_at_start"] = bytes([0]) + "\U0001F600".encode()
    s["split_at_end"] = bytes([255]) + b"\xf0\x9f\x98"
    return s


def session_seeds():
    s = {}
    ws_data = ws_frame(TEXT, b"hi") + ws_frame(PING, b"p1") + ws_frame(BINARY, b"\x00\x01")
    close = ws_frame(CLOSE, close_payload(1000, b"done"))
    full = (SERVER_PREFACE + headers(1, STATUS_200_INDEXED) + data(1, ws_data)
            + data(1, close, end_stream=True))
    s["full_exchange"] = seed(0, full)
    s["full_exchange_literal_status"] = seed(
        0, SERVER_PREFACE + headers(1, status_literal(b"200")) + data(1, ws_data)
        + data(1, close) + h2_frame(RST_STREAM, 0, 1, struct.pack(">I", 0)))
    s["full_exchange_pieces"] = seed(0, full, [0, 4, 8, 2])
    s["full_exchange_trace"] = seed(8, full)
    s["submit_on_settings"] = seed(4, full)
    s["no_connect_protocol"] = seed(4, NO_CONNECT_PREFACE + headers(1, STATUS_200_INDEXED))
    # With the canned preface (bit 0) and the canned :status 200 (bit 1): DATA only.
    s["prefixed_data"] = seed(3, data(1, ws_data) + data(1, close))
    s["prefixed_data_fragmented"] = seed(
        3, data(1, ws_frame(TEXT, b"frag", fin=False)) + data(1, ws_frame(PING, b""))
        + data(1, ws_frame(CONT, b"ment")), [3, 0, 5])
    s["prefixed_ws_protocol_error"] = seed(3, data(1, ws_frame(TEXT, b"x", mask=b"abcd")))
    s["prefixed_invalid_utf8"] = seed(3, data(1, ws_frame(TEXT, b"\xff")))
    s["prefixed_end_without_close"] = seed(3, data(1, ws_frame(TEXT, b"bye"), end_stream=True))
    s["prefixed_padded_data"] = seed(
        3, h2_frame(DATA, PADDED, 1, bytes([3]) + ws_frame(TEXT, b"pad") + b"\x00" * 3))
    s["prefixed_send_and_close"] = seed(
        3 | 0x40 | 0x80, data(1, ws_frame(PING, b"x")) + data(1, close))
    s["prefixed_small_window_slow"] = seed(
        3 | 0x10 | 0x20, data(1, ws_frame(BINARY, b"w" * 1000)) + data(1, ws_frame(BINARY, b"v" * 100)))
    s["prefixed_too_big"] = seed(3 | 0x10, data(1, ws_frame(BINARY, b"b" * 1100)))
    s["prefixed_control_frames"] = seed(
        3, h2_frame(PING_H2, 0, 0, b"12345678") + h2_frame(WINDOW_UPDATE, 0, 1, struct.pack(">I", 1000))
        + h2_frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", 5000))
        + h2_frame(GOAWAY, 0, 0, struct.pack(">II", 1, 0)))
    s["prefixed_trailers"] = seed(
        3, data(1, ws_frame(TEXT, b"t")) + headers(1, literal(b"x-t", b"1"), True))
    s["prefixed_rst"] = seed(3, h2_frame(RST_STREAM, 0, 1, struct.pack(">I", 8)))
    s["status_404"] = seed(1, headers(1, status_literal(b"404")))
    s["status_100_then_200"] = seed(
        1, headers(1, status_literal(b"100")) + headers(1, STATUS_200_INDEXED) + data(1, ws_data))
    s["status_200_end_stream"] = seed(1, headers(1, STATUS_200_INDEXED, end_stream=True))
    s["status_200_subprotocol"] = seed(
        1, headers(1, STATUS_200_INDEXED + literal(b"sec-websocket-protocol", b"chat")))
    s["goaway_before_answer"] = seed(1, h2_frame(GOAWAY, 0, 0, struct.pack(">II", 0, 0)))
    s["settings_small_frames"] = seed(
        0, settings((0x8, 1), (0x5, 16384), (0x4, 10), (0x1, 0)) + headers(1, STATUS_200_INDEXED)
        + h2_frame(WINDOW_UPDATE, 0, 1, struct.pack(">I", 100)) + data(1, ws_data), [6])
    s["data_unknown_stream"] = seed(3, data(3, b"stray"))
    # Extra nibble: 1 = shutdown (GOAWAY + close 1001), 2 = terminate once the stream is closed,
    # 4 = keepalive pings, 8 = RST_STREAM CANCEL once open.
    s["shutdown_then_close"] = seed(
        3, data(1, ws_data) + data(1, close, end_stream=True), [9], extra=1)
    s["release_after_close"] = seed(
        3, data(1, close, end_stream=True) + h2_frame(RST_STREAM, 0, 1, struct.pack(">I", 0)),
        [8], extra=2)
    s["keepalive"] = seed(
        3, data(1, ws_data) + h2_frame(PING_H2, ACK, 0, b"\0" * 8), [5], extra=4)
    s["cancel_once_open"] = seed(3, data(1, ws_data) + data(1, close), [4], extra=8 | 2)
    return s


def deflate_seeds():
    def params(snct=False, cnct=False, sbits=15, cbits=15):
        return (1 if snct else 0) | (2 if cnct else 0) | (sbits - 8) << 2 | (cbits - 8) << 5

    default = params()
    headers = {
        "bare": b"permessage-deflate",
        "client_bits_no_value": b"permessage-deflate; client_max_window_bits",
        "all_params": b"permessage-deflate; server_no_context_takeover; client_no_context_takeover;"
                      b" server_max_window_bits=10; client_max_window_bits=9",
        "two_offers": b"permessage-deflate; server_max_window_bits=8, permessage-deflate",
        "quoted_value": b'permessage-deflate; client_max_window_bits="12"',
        "other_extension_first": b"x-webkit-deflate-frame, permessage-deflate",
        "duplicate_param": b"permessage-deflate; server_no_context_takeover; server_no_context_takeover",
        "bits_leading_zero": b"permessage-deflate; server_max_window_bits=09",
        "bits_out_of_range": b"permessage-deflate; client_max_window_bits=16",
        "unknown_param": b"permessage-deflate; foo=bar",
        "flag_with_value": b"permessage-deflate; client_no_context_takeover=1",
        "whitespace_case": b"  PerMessage-Deflate ;Client_Max_Window_Bits = 10 ,",
        "empty": b"",
        "garbage": b";;,=\"\\",
    }
    s = {}
    for name, h in headers.items():
        s[name] = bytes([default, default]) + h
    s["offer_small_windows"] = bytes([params(sbits=9, cbits=8), default]) + headers["all_params"]
    s["limits_strict"] = bytes([default, params(True, True, 8, 8)]) + headers["bare"]
    s["both_8_bits_text"] = bytes([params(cbits=8, sbits=8), params(sbits=8)]) + b"hello " * 40
    return s


def write(target, seeds):
    directory = os.path.join(HERE, "corpus", target)
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    for name, content in seeds.items():
        with open(os.path.join(directory, name), "wb") as f:
            f.write(content)
    print(f"{target}: {len(seeds)} seeds")


if __name__ == "__main__":
    write("fuzz_reader", reader_seeds())
    write("fuzz_utf8", utf8_seeds())
    write("fuzz_deflate_negotiation", deflate_seeds())
    write("fuzz_client_session", session_seeds())
