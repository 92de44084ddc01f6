"""moto's server, with the one S3 precondition the operator relies on that moto does not evaluate.

moto 5.1 answers CopyObject and UploadPartCopy without reading x-amz-copy-source-if-match (it reads
only x-amz-copy-source-if-none-match, and only on CopyObject). S3 answers 412 PreconditionFailed
when the source's ETag is not the one given. This evaluates it before moto copies, as S3 does; the
check and the copy are two steps of one request, not one atomic step, which tests that change a
source between two requests (not during one) do not notice.
"""

import sys
from urllib.parse import parse_qs, unquote, urlparse

from moto.s3.exceptions import PreconditionFailed
from moto.s3.responses import S3Response
from moto.server import main


def _source_etag(response):
    """The current ETag of the request's copy source, quoted, or None when it does not exist."""
    copy_source = response.headers.get("x-amz-copy-source")
    if isinstance(copy_source, bytes):
        copy_source = copy_source.decode("utf-8")
    parsed = urlparse(copy_source)
    bucket, key = unquote(parsed.path).lstrip("/").split("/", 1)
    version_id = parse_qs(parsed.query).get("versionId", [None])[0]
    source = response.backend.get_object(bucket, key, version_id=version_id)
    return None if source is None else source.etag


def _matches(wanted, etag):
    # A comma-separated list of entity tags, quoted or not, or "*".
    tags = [tag.strip() for tag in wanted.split(",")]
    return "*" in tags or any(tag.strip('"') == etag.strip('"') for tag in tags)


def _checking_if_match(copy):
    def checked(self, *args, **kwargs):
        wanted = self.headers.get("x-amz-copy-source-if-match")
        if wanted is not None:
            etag = _source_etag(self)
            # A missing source is left to moto's own answer (404 NoSuchKey).
            if etag is not None and not _matches(wanted, etag):
                raise PreconditionFailed(failed_condition="x-amz-copy-source-If-Match")
        return copy(self, *args, **kwargs)

    return checked


S3Response.copy_object = _checking_if_match(S3Response.copy_object)
S3Response.upload_part_copy = _checking_if_match(S3Response.upload_part_copy)

if __name__ == "__main__":
    sys.exit(main())
