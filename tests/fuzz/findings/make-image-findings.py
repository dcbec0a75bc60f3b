#!/usr/bin/env python3
# Writes the hand-made image findings of tests/fuzz/findings/image (see README.md there) into the
# current folder. Kept for provenance: the files themselves are committed.
import struct, zlib, sys
def chunk(t, data, length=None):
    L = len(data) if length is None else length
    return struct.pack('>I', L) + t + data + struct.pack('>I', zlib.crc32(t + data) & 0xffffffff)
SIG = b'\x89PNG\r\n\x1a\n'
def ihdr(w, h, depth, ctype): return chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, depth, ctype, 0, 0, 0))
# 1. a tEXt chunk declaring 1.5 GB in a ~70-byte file
open('png-text-chunk-declares-1.5GB.png','wb').write(SIG + ihdr(1,1,8,0) + chunk(b'tEXt', b'Comment\0x', length=1_500_000_000))
open('png-itxt-chunk-declares-2GB.png','wb').write(SIG + ihdr(1,1,8,0) + chunk(b'iTXt', b'Comment\0\0\0\0\0x', length=2_000_000_000))
# 2. 16384 x 16384 RGBA16 with an IDAT of a few bytes
open('png-16384-rgba16-no-data.png','wb').write(SIG + ihdr(16384,16384,16,6) + chunk(b'IDAT', zlib.compress(b'\0'*10)) + chunk(b'IEND', b''))
# 2b. within a per-side limit but big: 8000 x 8000 RGBA16 with no data
open('png-8000-rgba16-no-data.png','wb').write(SIG + ihdr(8000,8000,16,6) + chunk(b'IDAT', zlib.compress(b'\0'*10)) + chunk(b'IEND', b''))
# 3. palette + tRNS: 4x1, palette grey levels 0, 85, 170, 255, entry 0 transparent
pal = b''.join(bytes([v,v,v]) for v in (0,85,170,255))
raw = b'\0' + bytes([0,1,2,3])
body = ihdr(4,1,8,3) + chunk(b'PLTE', pal)
open('png-palette-trns.png','wb').write(SIG + body + chunk(b'tRNS', b'\x00') + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))
open('png-palette.png','wb').write(SIG + body + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))
# 4. valid 16384^2 16-bit RGB constant (streamed deflate)
def big(path, w, h, depth, ctype, ch):
    row = b'\0' + b'\x10' * (w * ch * depth // 8)
    c = zlib.compressobj(9)
    parts = [c.compress(row) for _ in range(h)]; parts.append(c.flush())
    data = b''.join(parts)
    open(path,'wb').write(SIG + ihdr(w,h,depth,ctype) + chunk(b'IDAT', data) + chunk(b'IEND', b''))
if len(sys.argv) > 1 and sys.argv[1] == 'big': big('png-16384-rgb16-valid.png', 16384, 16384, 16, 2, 3)  # 1.5 MB: not kept

def el(group, elem, vr, value):
    if vr in (b'OB', b'OW', b'SQ', b'UN', b'UT'):
        return struct.pack('<HH', group, elem) + vr + b'\0\0' + struct.pack('<I', len(value)) + value
    return struct.pack('<HH', group, elem) + vr + struct.pack('<H', len(value)) + value
def pad(s): return s + (b'\0' if len(s) % 2 else b'')
def us(v): return struct.pack('<H', v)
def meta(ts):
    body = el(2,1,b'OB',b'\0\1') + el(2,2,b'UI',pad(b'1.2.840.10008.5.1.4.1.1.1.1')) + el(2,3,b'UI',pad(b'1.2.3.4')) + el(2,0x10,b'UI',pad(ts))
    return b'\0'*128 + b'DICM' + el(2,0,b'UL',struct.pack('<I', len(body))) + body
def dataset(rows, cols, bits=8):
    return (el(8,0x16,b'UI',pad(b'1.2.840.10008.5.1.4.1.1.1.1')) + el(8,0x60,b'CS',b'DX') +
            el(0x28,2,b'US',us(1)) + el(0x28,4,b'CS',b'MONOCHROME2 ') + el(0x28,0x10,b'US',us(rows)) + el(0x28,0x11,b'US',us(cols)) +
            el(0x28,0x100,b'US',us(bits)) + el(0x28,0x101,b'US',us(bits)) + el(0x28,0x102,b'US',us(bits-1)) + el(0x28,0x103,b'US',us(0)))
# deflated dataset whose Pixel Data declares 2.46 GB
ds = dataset(16384, 16384) + struct.pack('<HH', 0x7fe0, 0x10) + b'OB\0\0' + struct.pack('<I', 2_460_000_000) + b'\0'*16
c = zlib.compressobj(9, zlib.DEFLATED, -15)
open('dcm-deflated-pixel-data-declares-2.46GB.dcm','wb').write(meta(b'1.2.840.10008.1.2.1.99') + c.compress(ds) + c.flush())
# native explicit LE whose Pixel Data declares 2.46 GB in a small file
open('dcm-native-pixel-data-declares-2.46GB.dcm','wb').write(meta(b'1.2.840.10008.1.2.1') + dataset(4096,4096) + struct.pack('<HH', 0x7fe0, 0x10) + b'OB\0\0' + struct.pack('<I', 2_460_000_000) + b'\0'*16)
if len(sys.argv) > 2 and sys.argv[1] == 'native':  # then: dcmcjpls native-16384.dcm jpeg-ls-16384-constant-8bit.dcm
    n = int(sys.argv[2])
    with open('native-%d.dcm' % n,'wb') as f:
        f.write(meta(b'1.2.840.10008.1.2.1') + dataset(n, n) + struct.pack('<HH', 0x7fe0, 0x10) + b'OB\0\0' + struct.pack('<I', n*n))
        row = bytes([100]) * n
        for _ in range(n): f.write(row)
