"""Credentials of the pull: environment and file, unsafe files refused, secrets never shown."""

import os

import pytest

from opsanalysis.cli import main
from opsanalysis.pull.credentials import CredentialsError, load_credentials

FILE_TEXT = """\
sp_api:
  client_id: amzn1.application-oa2-client.FILEID
  client_secret: filesecret-0123456789
  refresh_tokens: {EU: "Atzr|FILE-EU-TOKEN"}
ads_api:
  client_id: amzn1.application-oa2-client.ADSFILE
  client_secret: adsfilesecret-987
  refresh_token: "Atzr|ADS-FILE-TOKEN"
  profiles: {de: 4242}
"""


def write(path, text=FILE_TEXT, mode=0o600):
    path.write_text(text)
    os.chmod(path, mode)
    return path


def test_a_private_file_is_read_and_the_environment_overrides_it(tmp_path):
    path = write(tmp_path / "credentials.yaml")
    credentials = load_credentials(path, environ={
        "OPSANALYSIS_SP_REFRESH_TOKEN_NA": "Atzr|ENV-NA", "OPSANALYSIS_ADS_PROFILE_UK": "77",
        "OPSANALYSIS_LWA_CLIENT_SECRET": "envsecret-1"})
    assert credentials.sp_client_secret == "envsecret-1"
    assert credentials.sp_refresh_tokens == {"EU": "Atzr|FILE-EU-TOKEN", "NA": "Atzr|ENV-NA"}
    assert credentials.ads_profiles == {"DE": "4242", "UK": "77"}
    assert credentials.has_sp_api("EU") and not credentials.has_sp_api("FE")
    assert credentials.has_ads_api("DE") and not credentials.has_ads_api("US")


def test_environment_variables_alone_suffice(tmp_path):
    credentials = load_credentials(environ={
        "OPSANALYSIS_CREDENTIALS": str(tmp_path / "absent.yaml"),
        "OPSANALYSIS_LWA_CLIENT_ID": "id", "OPSANALYSIS_LWA_CLIENT_SECRET": "secret",
        "OPSANALYSIS_SP_REFRESH_TOKEN": "Atzr|ALL"})
    assert credentials.sp_refresh_tokens == {"NA": "Atzr|ALL", "EU": "Atzr|ALL",
                                             "FE": "Atzr|ALL"}


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644])
def test_a_file_others_can_read_is_refused(tmp_path, mode):
    path = write(tmp_path / "credentials.yaml", mode=mode)
    with pytest.raises(CredentialsError, match="chmod 600"):
        load_credentials(path, environ={})


def test_a_file_inside_a_git_work_tree_is_refused(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "config").mkdir()
    path = write(tmp_path / "config" / "credentials.yaml")
    with pytest.raises(CredentialsError, match="git work tree"):
        load_credentials(path, environ={})


def test_secrets_never_show_in_repr_errors_or_the_command_line(tmp_path, capsys):
    credentials = load_credentials(write(tmp_path / "credentials.yaml"), environ={})
    shown = repr(credentials) + str(credentials)
    assert credentials.redact("token Atzr|ADS-FILE-TOKEN here") == "token *** here"
    broken = write(tmp_path / "broken.yaml", "sp_api: {client_secret: filesecret-0123456789\n")
    with pytest.raises(CredentialsError) as error:
        load_credentials(broken, environ={})
    shown += str(error.value)
    exposed = write(tmp_path / "exposed.yaml", mode=0o644)
    assert main(["pull", "-m", "US", "--data", str(tmp_path / "data"),
                 "--credentials", str(exposed)]) == 2
    shown += "".join(capsys.readouterr())
    for secret in ("FILEID", "filesecret", "FILE-EU-TOKEN", "ADSFILE", "adsfilesecret",
                   "ADS-FILE-TOKEN"):
        assert secret not in shown
    assert "chmod 600" in shown


def test_endpoints_come_from_the_file_and_the_environment(tmp_path):
    text = FILE_TEXT + ("endpoints:\n  token: https://api.amazon.com/auth/o2/token/\n"
                        "  sp_api: {EU: \"https://sandbox.sellingpartnerapi-eu.amazon.com\"}\n")
    credentials = load_credentials(write(tmp_path / "credentials.yaml", text), environ={
        "OPSANALYSIS_ENDPOINT_ADS_API": "http://127.0.0.1:8123"})
    assert credentials.endpoints == {
        "token": "https://api.amazon.com/auth/o2/token",
        "sp_api": {"EU": "https://sandbox.sellingpartnerapi-eu.amazon.com"},
        "ads_api": "http://127.0.0.1:8123"}
    assert "endpoints=['ads_api', 'sp_api', 'token']" in repr(credentials)


@pytest.mark.parametrize("setting, url, message", [
    ("OPSANALYSIS_ENDPOINT_SP_API", "http://sellingpartnerapi-na.amazon.com", "https://"),
    ("OPSANALYSIS_ENDPOINT_SP_API", "http://10.0.0.7:8080", "https://"),
    ("OPSANALYSIS_ENDPOINT_TOKEN", "ftp://localhost/token", "https://"),
    ("OPSANALYSIS_ENDPOINT_TOKEN", "sellingpartnerapi-na.amazon.com", "https://"),
    ("OPSANALYSIS_ENDPOINT_ADS_API", "https://user:Atzr|SECRETVALUE@proxy.example", "user name"),
    ("OPSANALYSIS_ENDPOINT_ADS_API", "https://proxy.example/?token=Atzr|SECRETVALUE", "query"),
    ("OPSANALYSIS_ENDPOINT_ADS_API", "https://localhost:port", "https://"),
])
def test_an_unsafe_endpoint_is_refused_without_showing_it(setting, url, message):
    with pytest.raises(CredentialsError, match=message) as error:
        load_credentials(environ={"OPSANALYSIS_CREDENTIALS": "/nonexistent/credentials.yaml",
                                  setting: url})
    assert "SECRETVALUE" not in str(error.value) and url not in str(error.value)


@pytest.mark.parametrize("endpoints, message", [
    ("endpoints: https://example.com\n", "must be a mapping"),
    ("endpoints: {reports: https://example.com}\n", "unknown endpoint 'reports'"),
    ("endpoints: {sp_api: {XX: https://example.com}}\n", "unknown region"),
])
def test_malformed_endpoints_in_the_file_are_refused(tmp_path, endpoints, message):
    path = write(tmp_path / "credentials.yaml", FILE_TEXT + endpoints)
    with pytest.raises(CredentialsError, match=message):
        load_credentials(path, environ={})
