/* msgpack for coproterm's phone page: exactly what docs/protocol.md uses, and no more.
   Encodes arrays, unsigned integers, nil, booleans, strings and bytes (Uint8Array);
   decodes every msgpack type but extensions (refused, as the hub refuses them).
   Written for the page instead of bundling @msgpack/msgpack (6.2 KB gzipped): the
   workshop hour's 50 KB budget includes the page. Checked against the golden bytes of
   docs/protocol.md and against Python's msgpack in tests/test_web_browser.py. */
"use strict";
var MP = (function () {
  var utf8 = new TextEncoder(), text = new TextDecoder("utf-8", { fatal: true });

  function encode(value) {
    var out = [];
    function head(small, big, size) {  /* fix, 8, 16, 32-bit length forms */
      if (small !== null && size < (small === 0xa0 ? 32 : 16)) out.push(small | size);
      else if (big[0] && size < 0x100) out.push(big[0], size);
      else if (size < 0x10000) out.push(big[1], size >> 8, size & 255);
      else out.push(big[2], size >>> 24, (size >> 16) & 255, (size >> 8) & 255, size & 255);
    }
    function put(v) {
      if (v === null || v === undefined) out.push(0xc0);
      else if (v === true) out.push(0xc3);
      else if (v === false) out.push(0xc2);
      else if (typeof v === "number") {
        if (!(v >= 0 && v <= 0xffffffff && Math.floor(v) === v)) throw new Error("not a whole number: " + v);
        if (v < 128) out.push(v);
        else if (v < 0x100) out.push(0xcc, v);
        else if (v < 0x10000) out.push(0xcd, v >> 8, v & 255);
        else out.push(0xce, v >>> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255);
      } else if (typeof v === "string") {
        var bytes = utf8.encode(v);
        head(0xa0, [0xd9, 0xda, 0xdb], bytes.length);
        for (var i = 0; i < bytes.length; i++) out.push(bytes[i]);
      } else if (v instanceof Uint8Array) {
        head(null, [0xc4, 0xc5, 0xc6], v.length);
        for (var j = 0; j < v.length; j++) out.push(v[j]);
      } else if (Array.isArray(v)) {
        head(0x90, [0, 0xdc, 0xdd], v.length);
        v.forEach(put);
      } else throw new Error("cannot encode " + typeof v);
    }
    put(value);
    return new Uint8Array(out);
  }

  function decode(bytes) {
    var view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), at = 0;
    function need(n) { if (at + n > bytes.length) throw new Error("truncated"); var from = at; at += n; return from; }
    function uint(n) {
      var from = need(n);
      return n === 1 ? view.getUint8(from) : n === 2 ? view.getUint16(from) : n === 4 ? view.getUint32(from)
        : view.getUint32(from) * 4294967296 + view.getUint32(from + 4);
    }
    function int(n) {
      var from = need(n);
      return n === 1 ? view.getInt8(from) : n === 2 ? view.getInt16(from) : n === 4 ? view.getInt32(from)
        : view.getInt32(from) * 4294967296 + view.getUint32(from + 4);
    }
    function str(n) { var from = need(n); return text.decode(bytes.subarray(from, from + n)); }
    function bin(n) { var from = need(n); return bytes.slice(from, from + n); }
    function list(n) { var items = []; while (n--) items.push(item()); return items; }
    function map(n) { var obj = Object.create(null); while (n--) { var key = item(); obj[key] = item(); } return obj; }
    function item() {
      var b = uint(1);
      if (b < 0x80) return b;
      if (b < 0x90) return map(b & 15);
      if (b < 0xa0) return list(b & 15);
      if (b < 0xc0) return str(b & 31);
      if (b >= 0xe0) return b - 256;
      switch (b) {
        case 0xc0: return null;
        case 0xc2: return false;
        case 0xc3: return true;
        case 0xc4: return bin(uint(1));
        case 0xc5: return bin(uint(2));
        case 0xc6: return bin(uint(4));
        case 0xca: return view.getFloat32(need(4));
        case 0xcb: return view.getFloat64(need(8));
        case 0xcc: return uint(1);
        case 0xcd: return uint(2);
        case 0xce: return uint(4);
        case 0xcf: return uint(8);
        case 0xd0: return int(1);
        case 0xd1: return int(2);
        case 0xd2: return int(4);
        case 0xd3: return int(8);
        case 0xd9: return str(uint(1));
        case 0xda: return str(uint(2));
        case 0xdb: return str(uint(4));
        case 0xdc: return list(uint(2));
        case 0xdd: return list(uint(4));
        case 0xde: return map(uint(2));
        case 0xdf: return map(uint(4));
      }
      throw new Error("msgpack type 0x" + b.toString(16) + " is not part of this protocol");
    }
    var value = item();
    if (at !== bytes.length) throw new Error("trailing bytes");
    return value;
  }

  return { encode: encode, decode: decode };
})();
