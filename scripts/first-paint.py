#!/usr/bin/env python3
# First paint of an X window, for scripts/measure-start.sh. Started before the app, it opens the
# display and prints "ready"; then it reads one line, "<t0> <window id>" (t0 a wall-clock time
# in ns, `date +%s%N`), waits until that window shows more than 16 colours (blank is the one
# colour of its background; painted text brings anti-aliased shades), and prints the
# nanoseconds from t0 to the end of that capture and the number of captures. It captures the
# window with XGetImage through libX11 every 5 ms or so (about 20 ms a capture on a 2-core
# machine), far finer than running a screenshot tool each time.
import ctypes, sys, time

x = ctypes.CDLL("libX11.so.6")
x.XOpenDisplay.restype = ctypes.c_void_p
x.XOpenDisplay.argtypes = [ctypes.c_char_p]
c_uint_p = ctypes.POINTER(ctypes.c_uint)
x.XGetGeometry.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(ctypes.c_ulong),
                           ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int),
                           c_uint_p, c_uint_p, c_uint_p, c_uint_p]

class XImage(ctypes.Structure):
    _fields_ = [("width", ctypes.c_int), ("height", ctypes.c_int), ("xoffset", ctypes.c_int),
                ("format", ctypes.c_int), ("data", ctypes.c_void_p), ("byte_order", ctypes.c_int),
                ("bitmap_unit", ctypes.c_int), ("bitmap_bit_order", ctypes.c_int),
                ("bitmap_pad", ctypes.c_int), ("depth", ctypes.c_int),
                ("bytes_per_line", ctypes.c_int), ("bits_per_pixel", ctypes.c_int)]

x.XGetImage.restype = ctypes.POINTER(XImage)
x.XGetImage.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_int,
                        ctypes.c_uint, ctypes.c_uint, ctypes.c_ulong, ctypes.c_int]
x.XDestroyImage.argtypes = [ctypes.POINTER(XImage)]
HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)
ignore = HANDLER(lambda d, e: 0)  # a window being resized or unmapped is not fatal
x.XSetErrorHandler(ignore)

display = x.XOpenDisplay(None)
if not display:
    sys.exit("no X display")
print("ready", flush=True)
t0_text, window_text = sys.stdin.readline().split()
t0, window = int(t0_text), int(window_text, 0)
captures = 0
while True:
    root = ctypes.c_ulong()
    gx, gy = ctypes.c_int(), ctypes.c_int()
    w, h, border, depth = ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint()
    x.XGetGeometry(display, window, ctypes.byref(root), ctypes.byref(gx), ctypes.byref(gy),
                   ctypes.byref(w), ctypes.byref(h), ctypes.byref(border), ctypes.byref(depth))
    img = x.XGetImage(display, window, 0, 0, w.value, h.value, 0xFFFFFFFF, 2) if w.value else None
    now = time.time_ns()
    captures += 1
    if img:
        im = img.contents
        data = ctypes.string_at(im.data, im.bytes_per_line * im.height)
        x.XDestroyImage(img)
        if im.bits_per_pixel == 32 and data != data[:4] * (len(data) // 4):
            pixels = memoryview(data).cast("I")
            if len({p & 0xFFFFFF for p in pixels[::7]}) > 16:
                print(now - t0, captures, flush=True)
                break
    if now - t0 > 60_000_000_000:
        sys.exit("nothing painted after 60 s")
    time.sleep(0.005)
