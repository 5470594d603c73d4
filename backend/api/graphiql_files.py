"""GraphiQL's browser files (React, ReactDOM, GraphiQL's bundle and stylesheet), served by the API itself.

Strawberry's page loads them from a public CDN, and GraphiQL opens blank wherever that is out of reach (a
closed network, a laptop offline). Here they come from the npm registry instead, as the dashboard's bun does:
`npm ci` in graphiql_npm/ (npm checks every package against the committed lock's sha512) on the API's first
start, then served at /graphql/assets/<package>@<version>/<file>. The page keeps the sha384 integrity
attributes of Strawberry's page, so a browser runs only those exact bytes, and the API checks the same hashes
before it points the page at a file or serves it.

Where npm is missing or the install fails, the page loads the same files, under the same hashes, from the CDN,
and the API's log says why.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import structlog
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response

log = structlog.get_logger(__name__)

NPM_DIR = Path(__file__).with_name("graphiql_npm")
ROUTE_PREFIX = "/graphql/assets/"
CDN = "https://unpkg.com/"
INSTALL_TIMEOUT_SECONDS = 600
MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
# The URL names the version, so a browser may keep a file for good.
CACHE_FOREVER = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class Asset:
    package: str
    version: str
    file: str
    integrity: str  # the page's Subresource Integrity value (sha384, as Strawberry's page has it)

    @property
    def name(self) -> str:
        """<package>@<version>/<file>: the same path under /graphql/assets/ as on the CDN."""
        return f"{self.package}@{self.version}/{self.file}"

    def path(self, modules: Path) -> Path:
        return modules / self.package / self.file


# In the order the page loads them: React before the two that use it.
ASSETS = (
    Asset(
        "react",
        "18.2.0",
        "umd/react.production.min.js",
        "sha384-tMH8h3BGESGckSAVGZ82T9n90ztNXxvdwvdM6UoR56cYcf+0iGXBliJ29D+wZ/x8",
    ),
    Asset(
        "react-dom",
        "18.2.0",
        "umd/react-dom.production.min.js",
        "sha384-bm7MnzvK++ykSwVJ2tynSE5TRdN+xL418osEVF2DE/L/gfWHj91J2Sphe582B1Bh",
    ),
    Asset(
        "graphiql",
        "3.8.3",
        "graphiql.min.css",
        "sha384-Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM",
    ),
    Asset(
        "graphiql",
        "3.8.3",
        "graphiql.min.js",
        "sha384-HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie",
    ),
)
_BY_NAME = {asset.name: asset for asset in ASSETS}


class AssetsError(RuntimeError):
    """GraphiQL's files could not be installed; the message says why."""


def integrity_of(data: bytes) -> str:
    """The Subresource Integrity value of these bytes (sha384, base64), as a browser computes it."""
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


@lru_cache(maxsize=32)
def _matches(file: Path, mtime_ns: int, size: int, integrity: str) -> bool:
    # Keyed by modification time and size: each file is hashed once per process, and again once rewritten.
    return integrity_of(file.read_bytes()) == integrity


def verified_path(asset: Asset, *, modules: Path = NPM_DIR / "node_modules") -> Path | None:
    """The installed file when its bytes are the ones the page's integrity attribute names, else None."""
    file = asset.path(modules)
    try:
        stat = file.stat()
    except OSError:
        return None
    return file if _matches(file, stat.st_mtime_ns, stat.st_size, asset.integrity) else None


def missing_assets(*, modules: Path = NPM_DIR / "node_modules") -> list[Asset]:
    """The files not installed here, or not byte for byte what the page expects."""
    return [asset for asset in ASSETS if verified_path(asset, modules=modules) is None]


def served_locally() -> bool:
    """Whether the page loads its files from this API (else from the CDN)."""
    return not missing_assets()


def install_assets(*, npm_dir: Path = NPM_DIR) -> None:
    """`npm ci` from the committed lock, then every file checked against its hash; AssetsError otherwise."""
    npm = shutil.which("npm")
    if npm is None:
        raise AssetsError("npm is not installed (Debian: apt-get install -y nodejs npm)")
    # Several APIs starting at once on one machine: one installs, the others wait and find it done.
    with (npm_dir / "package-lock.json").open("rb") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        modules = npm_dir / "node_modules"
        if not missing_assets(modules=modules):
            return
        done = subprocess.run(
            [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
            cwd=npm_dir,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT_SECONDS,
        )
        if done.returncode != 0:
            raise AssetsError(f"npm ci in {npm_dir} failed: {done.stderr.strip()[-1000:]}")
        if wrong := missing_assets(modules=modules):
            raise AssetsError(
                "installed, but not the files the page's integrity hashes name: "
                + ", ".join(asset.name for asset in wrong)
            )


def ensure_assets() -> bool:
    """Install GraphiQL's files when missing (first start); whether the page loads them from this API."""
    if served_locally():
        return True
    try:
        install_assets()
    except (AssetsError, OSError, subprocess.TimeoutExpired) as problem:
        log.warning("graphiql.files_not_installed", reason=str(problem), page_loads_them_from=CDN)
        return False
    log.info("graphiql.files_installed", where=str(NPM_DIR / "node_modules"))
    return True


def asset_url(asset: Asset, *, local: bool) -> str:
    return f"{ROUTE_PREFIX}{asset.name}" if local else f"{CDN}{asset.name}"


async def graphiql_asset(request: Request) -> Response:
    """GET /graphql/assets/<package>@<version>/<file>: one of the four files, once its hash is checked."""
    asset = _BY_NAME.get(request.path_params["name"])
    if asset is None:
        return PlainTextResponse("Not found", status_code=404)
    file = verified_path(asset)
    if file is None:
        log.warning("graphiql.file_unavailable", asset=asset.name)
        return PlainTextResponse("GraphiQL's files are not installed here.", status_code=404)
    return FileResponse(
        file,
        media_type=MEDIA_TYPES[Path(asset.file).suffix],
        headers={"Cache-Control": CACHE_FOREVER, "X-Content-Type-Options": "nosniff"},
    )
