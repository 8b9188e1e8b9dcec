"""A year-end PDF an auditor can verify (issue 18 §3): its last page gives the data version and the history chain's
head, /reports/verify says whether a downloaded PDF matches the data as of its version, the PDF is signed when a
certificate is configured, and the auditor's full export holds every record table and the history as CSV."""
from __future__ import annotations

import csv
import hashlib
import io
import subprocess
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text

from engine import HistoryEvent
from engine.chain import history_head
from tests.process_support import REPORT, Driver, prepared_app, three_projects_and_one_report
from tests.web_support import csrf_token, signed_in_client


@pytest.fixture(scope="module")
def app(database_url):
    """Three projects started on 2017-06-08, one report filed: enough for a year-end PDF with figures."""
    with prepared_app(database_url, three_projects_and_one_report,
                      users=(("auditor", "tuijinban", "auditor"), ("office", "tuijinban", "office"))) as application:
        yield application


@pytest.fixture(scope="module")
def auditor(app):
    return signed_in_client(app, "auditor")


@pytest.fixture
def session(app):
    from web.core.db import new_session

    with app.app_context():
        session = new_session()
    yield session
    session.close()


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True)
    return "".join(out.stdout.split())


def upload(client, content: bytes, name: str = "2017年度重点工作评估报告.pdf"):
    token = csrf_token(client.get("/reports/verify"))
    return client.post("/reports/verify", data={"csrf_token": token, "report": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def test_the_last_page_gives_the_data_version_and_the_chain_head(auditor, session, tmp_path):
    content = auditor.get("/reports/year-end/2017.pdf").data
    version = history_head(session)
    last_page = pdf_text(content, tmp_path).split("数据版本与校验")[-1]
    assert f"本报告依据的数据版本：{version.event_id}" in last_page
    assert version.head in last_page


def test_a_downloaded_pdf_verifies_while_the_data_is_unchanged(auditor):
    page = upload(auditor, auditor.get("/reports/year-end/2017.pdf").data).get_data(as_text=True)
    assert "核验通过" in page and "报告中的数字与数据一致" in page


def test_a_file_that_is_not_one_of_our_reports_is_refused_with_a_chinese_message(auditor):
    response = upload(auditor, b"%PDF-1.4 not really", "别的文件.pdf")
    assert response.status_code == 422 and "不是本系统生成的年度评估报告" in response.get_data(as_text=True)
    missing = auditor.post("/reports/verify", data={"csrf_token": csrf_token(auditor.get("/reports/verify"))})
    assert missing.status_code == 422 and "请选择要核验的报告文件" in missing.get_data(as_text=True)


def test_after_new_work_the_old_pdf_still_verifies_against_its_version_and_says_the_data_moved_on(auditor, session):
    content = auditor.get("/reports/year-end/2017.pdf").data
    driver = Driver(session)
    driver.complete(driver.task(name="汇总填报季度报告", business_key="2017-10"), REPORT)
    page = upload(auditor, content).get_data(as_text=True)
    assert "核验通过" in page and "此后数据已更新" in page


def test_an_edited_history_event_before_the_pdfs_version_fails_the_check_and_is_named(auditor, session):
    content = auditor.get("/reports/year-end/2017.pdf").data
    first = session.scalar(select(HistoryEvent).order_by(HistoryEvent.id).limit(1))
    session.execute(text("UPDATE history_event SET actor = 'mallory' WHERE id = :id"), {"id": first.id})
    session.commit()
    try:
        page = upload(auditor, content).get_data(as_text=True)
        assert "核验未通过" in page and f"第 {first.id} 号事件" in page
    finally:
        session.execute(text("UPDATE history_event SET actor = :actor WHERE id = :id"),
                        {"actor": first.actor, "id": first.id})
        session.commit()


def self_signed(tmp_path):
    """A certificate and key for 普陀区推进办, made here, as PEM files; and the certificate itself."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "普陀区推进办测试")])
    now = datetime.now(timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
                   .not_valid_after(now + timedelta(days=30))
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                                crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
                   .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_with_a_certificate_configured_the_pdf_is_signed_and_pyhankos_validator_accepts_it(app, auditor, tmp_path):
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    cert_path, key_path = self_signed(tmp_path)
    app.config.update(PDF_SIGNING_CERT=str(cert_path), PDF_SIGNING_KEY=str(key_path))
    try:
        content = auditor.get("/reports/year-end/2017.pdf").data
    finally:
        app.config.update(PDF_SIGNING_CERT=None, PDF_SIGNING_KEY=None)
    [signature] = PdfFileReader(io.BytesIO(content)).embedded_signatures
    context = ValidationContext(trust_roots=[load_cert_from_pemder(str(cert_path))])
    with ThreadPoolExecutor(max_workers=1) as pool:  # pyHanko runs asyncio: a thread with no running loop of its own
        status = pool.submit(validate_pdf_signature, signature, context).result()
    assert status.intact and status.valid and status.trusted
    assert "核验通过" in upload(auditor, content).get_data(as_text=True)  # signing keeps the stamp


def test_without_a_certificate_the_pdf_is_not_signed(auditor):
    from pyhanko.pdf_utils.reader import PdfFileReader

    content = auditor.get("/reports/year-end/2017.pdf").data
    assert PdfFileReader(io.BytesIO(content)).embedded_signatures == []


def test_the_full_export_holds_every_record_table_and_the_history_with_a_manifest_of_counts_and_hashes(
        auditor, session):
    response = auditor.get("/reports/export.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = set(archive.namelist())
    assert {"history_event.csv", "quarterly_report.csv", "project.csv", "manifest.csv"} <= names
    assert not {"user_account.csv", "api_token.csv", "user_session.csv"} & names
    manifest = list(csv.reader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    assert manifest[0] == ["数据版本", str(history_head(session).event_id)]
    rows = {row[0]: row for row in manifest[3:]}
    assert set(rows) == names - {"manifest.csv"}
    for name, (_, _, count, digest) in rows.items():
        content = archive.read(name)
        assert content.startswith("\ufeff".encode()) and hashlib.sha256(content).hexdigest() == digest
        assert len(list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))) == int(count) + 1
    history = list(csv.reader(io.StringIO(archive.read("history_event.csv").decode("utf-8-sig"))))
    assert "chain_hash" in history[0] and int(rows["history_event.csv"][2]) == session.scalar(
        select(text("count(*)")).select_from(HistoryEvent))


def test_only_the_auditor_and_the_administrator_may_take_the_full_export(app):
    client = signed_in_client(app, "office")
    assert client.get("/reports/export.zip").status_code == 403
