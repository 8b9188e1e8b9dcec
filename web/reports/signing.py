"""Signing the reports' PDFs with pyHanko when a certificate is configured: ``PDF_SIGNING_CERT`` and
``PDF_SIGNING_KEY`` (paths to PEM files, in the app's config or the environment; ``PDF_SIGNING_KEY_PASSPHRASE``
if the key is encrypted). Without them the PDFs go out unsigned."""
from __future__ import annotations

import io
import os
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from flask import current_app

if TYPE_CHECKING:
    from pyhanko.sign.signers import SimpleSigner

FIELD = "普陀区推进办签章"


def _setting(name: str) -> str | None:
    return current_app.config.get(name) or os.environ.get(name) or None


def configured_signer() -> SimpleSigner | None:
    """The signer of the configured certificate and key; None when none is configured."""
    cert, key = _setting("PDF_SIGNING_CERT"), _setting("PDF_SIGNING_KEY")
    if not (cert and key):
        return None
    # pyHanko is imported only where a certificate is configured: it takes ~0.2 s to import, which every process
    # importing the web app (the timer worker, each CLI command) would pay.
    from pyhanko.sign import signers

    passphrase = _setting("PDF_SIGNING_KEY_PASSPHRASE")
    signer = signers.SimpleSigner.load(key, cert, key_passphrase=passphrase.encode() if passphrase else None)
    if signer is None:
        raise RuntimeError(f"无法读取 PDF 签名证书或私钥：{cert}、{key}")
    return signer


def signed(pdf: bytes) -> bytes:
    """The PDF signed with the configured certificate (an approval signature over the whole file), or as it is."""
    signer = configured_signer()
    if signer is None:
        return pdf

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    def sign() -> bytes:
        out = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)),
                               signers.PdfSignatureMetadata(field_name=FIELD, reason="年度评估报告", location="上海市普陀区"),
                               signer=signer, output=io.BytesIO())
        return out.getvalue()

    # pyHanko's sign_pdf calls asyncio.run, which refuses inside a thread whose event loop is running (a worker
    # class on asyncio, or a test process that drives a browser): a thread of its own always has none.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(sign).result()
