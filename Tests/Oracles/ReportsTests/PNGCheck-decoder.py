# Oracle of Tests/ReportsTests/PNGCheck.swift (`decoder`); run alone: python Tests/Oracles/ReportsTests/PNGCheck-decoder.py ARGS
import sys, zlib, json, struct
import numpy as np
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
pos, idat, w = 8, b'', None
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR':
        w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
        assert depth == 8 and ctype in (2, 6), (depth, ctype)
        bpp = 3 if ctype == 2 else 4
    elif kind == b'IDAT':
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
stride = w * bpp
out = bytearray(h * stride)
prev = bytearray(stride)
for y in range(h):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    if f == 1:
        for i in range(bpp, stride): line[i] = (line[i] + line[i - bpp]) & 255
    elif f == 2:
        line = bytearray(((np.frombuffer(line, np.uint8).astype(np.int32) + np.frombuffer(prev, np.uint8)) & 255).astype(np.uint8))
    elif f == 3:
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + ((a + prev[i]) >> 1)) & 255
    elif f == 4:
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]; c = prev[i - bpp] if i >= bpp else 0
            p = a + b - c; pa = abs(p - a); pb = abs(p - b); pc = abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else (b if pb <= pc else c))) & 255
    out[y * stride:(y + 1) * stride] = line
    prev = line
img = np.frombuffer(bytes(out), np.uint8).reshape(h, w, bpp).astype(np.int32)
rgb = img[:, :, :3]
if bpp == 4:  # composite on white
    alpha = img[:, :, 3:4]
    rgb = (rgb * alpha + 255 * (255 - alpha)) // 255
crop = rgb[h // 5:4 * h // 5, w // 5:4 * w // 5].reshape(-1, 3)
ink = float(np.mean(np.any(crop < 245, axis=1)))
distinct = len(np.unique(crop[:, 0] * 65536 + crop[:, 1] * 256 + crop[:, 2]))
flat = rgb.reshape(-1, 3)
sat = flat[(flat.max(axis=1) - flat.min(axis=1)) > 60]
saturated = len(np.unique((sat[:, 0] // 32) * 64 + (sat[:, 1] // 32) * 8 + sat[:, 2] // 32))
print(json.dumps({'width': int(w), 'height': int(h), 'inkFraction': ink, 'distinctColors': int(distinct), 'saturatedColors': int(saturated)}))
