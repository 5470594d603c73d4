"""An incident's page reads the SLO file once per process, and again as soon as the file is edited."""

import os

from backend.incidents.service import current_slos
from backend.observability.slo import SLO_FILE


def test_the_slo_file_is_parsed_once_and_again_after_an_edit(tmp_path):
    path = tmp_path / "slo.yaml"
    path.write_text(SLO_FILE.read_text())
    first = current_slos(path=path)
    assert current_slos(path=path) is first  # not parsed again while the file is unchanged

    renamed = first.slos[0].name + "_edited"
    path.write_text(SLO_FILE.read_text().replace(f"name: {first.slos[0].name}", f"name: {renamed}", 1))
    stat = path.stat()
    # A later mtime, as an editor's save would leave: the same second would need a finer clock than some
    # filesystems keep.
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert current_slos(path=path).slos[0].name == renamed
