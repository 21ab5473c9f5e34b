"""Tools for working on kslive, never imported by the app: `make run`'s ready line, and the
real processes (sandbox, nginx-rtmp, Celery, ffmpeg, a browser) that tests and benches run."""
