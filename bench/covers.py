"""How much memory and time does one cover take? .venv/bin/python bench/covers.py

Per case, one process makes the picture file and a fresh one converts it with make_cover,
printing the growth of its peak RSS over a baseline taken after the imports, with the file
open as Django hands over a large upload (reading it is part of the cost), and the wall time.
Peak RSS (ru_maxrss) is a high-water mark that even survives exec, so no process that measures
ever held a large picture, this one included. Last, three conversions at once on threads in
one process: their total. MB are 10^6 bytes; the bound is 150 MB a request.
"""

import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
BOUND_MB = 150
# name: (size, mode, format, save options, fit). "noise" makes a file weigh what a photo weighs;
# the cases at a cap are noisier, for heavy files.
CASES = {
    "7000x7000 RGBA PNG, one colour": ((7000, 7000), "RGBA", "PNG", {"one colour": True}, "crop"),
    "12 MP phone JPEG, turned": ((4000, 3000), "RGB", "JPEG", {"noise": 12, "exif": 6}, "crop"),
    "48 MP JPEG (8000x6000)": ((8000, 6000), "RGB", "JPEG", {"noise": 12}, "crop"),
    "48 MP JPEG (8000x6000), pad": ((8000, 6000), "RGB", "JPEG", {"noise": 12}, "pad"),
    "48 MP panorama JPEG (16000x3000)": ((16000, 3000), "RGB", "JPEG", {"noise": 12}, "crop"),
    "12 MP CMYK JPEG": ((4000, 3000), "CMYK", "JPEG", {"noise": 12}, "crop"),
    "50 MP progressive JPEG": ((8660, 5773), "RGB", "JPEG", {"noise": 12, "progressive": True}, "crop"),
    "26 MP progressive JPEG (cap), noisy": ((6240, 4160), "RGB", "JPEG", {"noise": 128, "progressive": True}, "crop"),
    "12 MP drone MPO, 2 frames": ((4000, 3000), "RGB", "MPO", {"noise": 12}, "crop"),
    "12 MP 16-bit grey PNG": ((4000, 3000), "I;16", "PNG", {}, "crop"),
    "24 MP palette PNG, transparency": ((6000, 4000), "P", "PNG", {"transparency": 0}, "pad"),
    "24 MP RGBA PNG (cap), noisy": ((6000, 4000), "RGBA", "PNG", {"noise": 3}, "crop"),
    "4 MP WebP (2560x1440)": ((2560, 1440), "RGB", "WEBP", {"noise": 12}, "crop"),
    "5 MP lossless WebP (cap), noisy": ((2736, 1824), "RGBA", "WEBP",
                                        {"noise": 128, "noisy alpha": True, "lossless": True}, "crop"),
}
AT_ONCE = ["48 MP JPEG (8000x6000)", "24 MP RGBA PNG (cap), noisy", "5 MP lossless WebP (cap), noisy"]


def make(name: str, path: str) -> None:
    """Write the case's picture file."""
    from PIL import Image

    size, mode, fmt, options, _ = CASES[name]
    options = dict(options, quality=92) if fmt in ("JPEG", "MPO") else dict(options)
    grey = Image.linear_gradient("L").resize(size)
    if options.pop("one colour", False):
        picture = Image.new(mode, size, (200, 80, 40, 160))
    elif mode == "I;16":
        picture = grey.convert("I").point(lambda value: value * 257).convert("I;16")
    else:
        noise = options.pop("noise", 0)
        red = Image.effect_noise(size, noise).convert("L") if noise else grey
        picture = Image.merge("RGB", (red, grey, grey.transpose(Image.Transpose.FLIP_LEFT_RIGHT))).convert(mode)
        if mode == "RGBA":
            picture.putalpha(Image.effect_noise(size, noise).convert("L") if options.pop("noisy alpha", False) else 200)
    if "exif" in options:
        exif = Image.Exif()
        exif[0x0112] = options.pop("exif")
        options["exif"] = exif.tobytes()
    if fmt == "MPO":
        options.update(save_all=True, append_images=[picture.resize((size[0] // 4, size[1] // 4))])
    picture.save(path, fmt, **options)


def convert(fit: str, paths: list[str]) -> None:
    """Convert the files at once, one thread each, and print the peak RSS growth and time as JSON."""
    sys.path.insert(0, str(REPO_ROOT))
    from django.conf import settings

    settings.configure(USE_I18N=False)
    from streams.covers import CoverError, make_cover

    uploads = [open(path, "rb") for path in paths]  # like Django's upload in a temporary file
    results = [None] * len(uploads)

    def one(index):
        try:
            results[index] = f"cover of {len(make_cover(uploads[index], fit=fit)) // 1024} KB"
        except CoverError as exc:
            results[index] = f"refused: {exc}"

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    started = time.perf_counter()
    threads = [threading.Thread(target=one, args=(index,)) for index in range(len(uploads))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - baseline) * 1024 / 1e6
    print(json.dumps({"mb": grown, "seconds": seconds, "results": results}))


def run(*args: str) -> str:
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=True)
    return done.stdout


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor() or "unknown CPU")
    pillow = run("--pillow-version").strip()
    return f"nproc {len(os.sched_getaffinity(0))}, {model}; Python {platform.python_version()}, Pillow {pillow}"


def main() -> None:
    print(f"Machine: {machine()}")
    print(f"{'case':<38} {'file':>8} {'peak MB':>8} {'seconds':>8}  result")
    worst = 0.0
    with tempfile.TemporaryDirectory(prefix="kslive-bench-covers-") as folder:
        paths = {}
        for index, (name, case) in enumerate(CASES.items()):
            paths[name] = os.path.join(folder, f"{index}.{case[2].lower()}")
            run("--make", name, paths[name])
            measured = json.loads(run("--convert", case[4], paths[name]))
            worst = max(worst, measured["mb"])
            size_kb = os.path.getsize(paths[name]) // 1024
            figures = f"{measured['mb']:>8.0f} {measured['seconds']:>8.2f}"
            print(f"{name:<38} {size_kb:>5} KB {figures}  {measured['results'][0]}")
        together = json.loads(run("--convert", "crop", *(paths[name] for name in AT_ONCE)))
    print(f"{'three at once on threads: ' + ', '.join(AT_ONCE)}")
    print(f"{'':<38} {'':>8} {together['mb']:>8.0f} {together['seconds']:>8.2f}  {'; '.join(together['results'])}")
    verdict = "within" if worst <= BOUND_MB else "OVER"
    print(f"Verdict: the worst conversion grew peak RSS by {worst:.0f} MB, {verdict} the bound of {BOUND_MB} MB "
          f"a request; three at once, {together['mb']:.0f} MB in all.")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--make"]:
        make(sys.argv[2], sys.argv[3])
    elif sys.argv[1:2] == ["--convert"]:
        convert(sys.argv[2], sys.argv[3:])
    elif sys.argv[1:2] == ["--pillow-version"]:
        from PIL import __version__

        print(__version__)
    else:
        main()
