"""Credentials of the Selling Partner API and the Amazon Ads API, kept out of every output.

Read from environment variables or from a credentials file outside the repository (refused
when group or others may read it, or when it lies inside a git work tree). The
:class:`Credentials` object never shows a secret in ``repr``/``str``; :meth:`Credentials.redact`
masks any secret inside a text (error messages from Amazon, log lines) before it leaves the
package.

The same file and environment may replace Amazon's hosts (``endpoints``: the SP-API sandbox, a
proxy, a local test server); :func:`check_endpoints` accepts only ``https://`` URLs, or
``http://`` on this machine (127.0.0.1, ``localhost``), so that no token travels unencrypted.
"""

from __future__ import annotations

import os
import stat
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import yaml

__all__ = ["Credentials", "CredentialsError", "check_endpoints", "default_credentials_path",
           "load_credentials"]

#: Environment variables (the file's keys in brackets).
ENVIRONMENT = {
    "OPSANALYSIS_LWA_CLIENT_ID": "sp_api.client_id",
    "OPSANALYSIS_LWA_CLIENT_SECRET": "sp_api.client_secret",
    "OPSANALYSIS_SP_REFRESH_TOKEN": "sp_api.refresh_token (every region)",
    "OPSANALYSIS_SP_REFRESH_TOKEN_<REGION>": "sp_api.refresh_tokens.<NA|EU|FE>",
    "OPSANALYSIS_ADS_CLIENT_ID": "ads_api.client_id",
    "OPSANALYSIS_ADS_CLIENT_SECRET": "ads_api.client_secret",
    "OPSANALYSIS_ADS_REFRESH_TOKEN": "ads_api.refresh_token",
    "OPSANALYSIS_ADS_PROFILE_<MP>": "ads_api.profiles.<MP>",
}
#: Endpoint overrides (every region; the file's ``endpoints`` may also give one per region).
ENDPOINT_ENVIRONMENT = {
    "OPSANALYSIS_ENDPOINT_TOKEN": "token",
    "OPSANALYSIS_ENDPOINT_SP_API": "sp_api",
    "OPSANALYSIS_ENDPOINT_ADS_API": "ads_api",
}
_REGIONS = ("NA", "EU", "FE")
_LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
_MASK = "***"


class CredentialsError(ValueError):
    """Credentials missing, unreadable or stored unsafely (never holds a secret)."""


@dataclass(frozen=True, repr=False)
class Credentials:
    """Client ids, client secrets, refresh tokens and Ads profile ids.

    Attributes
    ----------
    sp_client_id, sp_client_secret : str or None
        Login with Amazon (LWA) credentials of the SP-API application.
    sp_refresh_tokens : dict of str -> str
        Refresh token of the seller's authorisation, by SP-API region (NA, EU, FE).
    ads_client_id, ads_client_secret, ads_refresh_token : str or None
        LWA credentials and refresh token of the Amazon Ads API application.
    ads_profiles : dict of str -> str
        Ads API profile id by marketplace code (sent as Amazon-Advertising-API-Scope).
    endpoints : dict
        Hosts replacing Amazon's (not secret): ``token``, ``sp_api``, ``ads_api``, each a URL
        for every region or a mapping region (NA, EU, FE) -> URL; checked by
        :func:`check_endpoints`.
    """

    sp_client_id: str | None = None
    sp_client_secret: str | None = None
    sp_refresh_tokens: dict = field(default_factory=dict)
    ads_client_id: str | None = None
    ads_client_secret: str | None = None
    ads_refresh_token: str | None = None
    ads_profiles: dict = field(default_factory=dict)
    endpoints: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        held = [name for name in ("sp_client_id", "sp_client_secret", "ads_client_id",
                                  "ads_client_secret", "ads_refresh_token")
                if getattr(self, name)]
        return (f"Credentials(set={held}, sp_regions={sorted(self.sp_refresh_tokens)}, "
                f"ads_marketplaces={sorted(self.ads_profiles)}, "
                f"endpoints={sorted(self.endpoints)})")

    __str__ = __repr__

    def secrets(self) -> list[str]:
        """Every secret value held (client ids included: they identify the application)."""
        values = [self.sp_client_id, self.sp_client_secret, self.ads_client_id,
                  self.ads_client_secret, self.ads_refresh_token,
                  *self.sp_refresh_tokens.values()]
        return sorted({value for value in values if value}, key=len, reverse=True)

    def redact(self, text) -> str:
        """``text`` with every secret replaced by ``***``."""
        text = str(text)
        for secret in self.secrets():
            text = text.replace(secret, _MASK)
        return text

    def has_sp_api(self, region: str) -> bool:
        """True when SP-API reports can be requested in ``region``."""
        return bool(self.sp_client_id and self.sp_client_secret
                     and self.sp_refresh_tokens.get(region))

    def has_ads_api(self, marketplace: str) -> bool:
        """True when Ads API reports can be requested for ``marketplace``."""
        return bool(self.ads_client_id and self.ads_client_secret and self.ads_refresh_token
                    and self.ads_profiles.get(marketplace))


def default_credentials_path(environ=None) -> Path:
    """``$OPSANALYSIS_CREDENTIALS``, else ``~/.config/opsanalysis/credentials.yaml``."""
    environ = os.environ if environ is None else environ
    if environ.get("OPSANALYSIS_CREDENTIALS"):
        return Path(environ["OPSANALYSIS_CREDENTIALS"]).expanduser()
    base = environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "opsanalysis" / "credentials.yaml"


def load_credentials(path=None, environ=None) -> Credentials:
    """Credentials from the credentials file (when it exists) overlaid by environment variables.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        Credentials file (YAML); default :func:`default_credentials_path`. A file that is
        named explicitly must exist.
    environ : mapping, optional
        Environment (default ``os.environ``).

    Returns
    -------
    Credentials

    Raises
    ------
    CredentialsError
        The file is readable by group/others, lies inside a git work tree, or is malformed, or
        an endpoint is not an ``https://`` URL (``http://`` only on 127.0.0.1/localhost).
    """
    environ = os.environ if environ is None else environ
    explicit = path is not None
    path = Path(path).expanduser() if explicit else default_credentials_path(environ)
    values = _from_file(path) if (explicit or path.is_file()) else {}
    sp = values.get("sp_api") or {}
    ads = values.get("ads_api") or {}
    tokens = dict(sp.get("refresh_tokens") or {})
    if sp.get("refresh_token"):
        tokens = {region: sp["refresh_token"] for region in _REGIONS} | tokens
    profiles = {str(k).upper(): str(v) for k, v in (ads.get("profiles") or {}).items()}
    if environ.get("OPSANALYSIS_SP_REFRESH_TOKEN"):
        tokens |= {region: environ["OPSANALYSIS_SP_REFRESH_TOKEN"] for region in _REGIONS}
    for name, value in environ.items():
        if name.startswith("OPSANALYSIS_SP_REFRESH_TOKEN_") and value:
            tokens[name.rsplit("_", 1)[1].upper()] = value
        elif name.startswith("OPSANALYSIS_ADS_PROFILE_") and value:
            profiles[name.rsplit("_", 1)[1].upper()] = value
    endpoints = values.get("endpoints") or {}
    if not isinstance(endpoints, dict):
        raise CredentialsError(f"credentials file {path}: endpoints must be a mapping")
    endpoints = dict(endpoints) | {key: environ[name] for name, key in ENDPOINT_ENVIRONMENT.items()
                  if environ.get(name)}
    return Credentials(
        sp_client_id=environ.get("OPSANALYSIS_LWA_CLIENT_ID") or sp.get("client_id"),
        sp_client_secret=environ.get("OPSANALYSIS_LWA_CLIENT_SECRET") or sp.get("client_secret"),
        sp_refresh_tokens={k.upper(): str(v) for k, v in tokens.items() if v},
        ads_client_id=environ.get("OPSANALYSIS_ADS_CLIENT_ID") or ads.get("client_id"),
        ads_client_secret=environ.get("OPSANALYSIS_ADS_CLIENT_SECRET") or ads.get("client_secret"),
        ads_refresh_token=environ.get("OPSANALYSIS_ADS_REFRESH_TOKEN") or ads.get("refresh_token"),
        ads_profiles=profiles, endpoints=check_endpoints(endpoints))


def check_endpoints(endpoints: dict) -> dict:
    """Endpoint overrides, checked: keys ``token``, ``sp_api``, ``ads_api``; each value a URL
    or a mapping region -> URL.

    A URL must be ``https://host[:port][/path]``; plain ``http://`` only for this machine
    (127.0.0.1, ``localhost``, ``::1``: a local test server), never with a user name,
    password, query or fragment. Errors name the setting, not its value.

    Returns
    -------
    dict
        ``endpoints`` with trailing slashes removed.

    Raises
    ------
    CredentialsError
    """
    checked = {}
    for key, value in endpoints.items():
        if key not in ENDPOINT_ENVIRONMENT.values():
            raise CredentialsError(f"unknown endpoint {key!r}; known: "
                                   f"{', '.join(ENDPOINT_ENVIRONMENT.values())}")
        if isinstance(value, dict):
            unknown = sorted(str(region) for region in value if region not in _REGIONS)
            if unknown:
                raise CredentialsError(f"endpoints.{key}: unknown region(s) {', '.join(unknown)}"
                                       f"; known: {', '.join(_REGIONS)}")
            checked[key] = {region: _checked_url(f"endpoints.{key}.{region}", url)
                            for region, url in value.items()}
        else:
            checked[key] = _checked_url(f"endpoints.{key}", value)
    return checked


def _checked_url(setting: str, url) -> str:
    parts = urllib.parse.urlsplit(str(url))
    try:
        host = parts.hostname
        parts.port  # noqa: B018 -- raises ValueError for a port that is no number
    except ValueError:
        host = None
    local = host in _LOCAL_HOSTS
    if not host or parts.scheme not in ("https", "http") or (parts.scheme == "http"
                                                              and not local):
        raise CredentialsError(f"{setting} must be an https:// URL (http:// only for "
                               f"{', '.join(_LOCAL_HOSTS)})")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise CredentialsError(f"{setting} must not carry a user name, password, query or "
                               "fragment")
    return str(url).rstrip("/")


def _from_file(path: Path) -> dict:
    if not path.is_file():
        raise CredentialsError(f"credentials file not found: {path}")
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise CredentialsError(
            f"credentials file {path} may be read by others (mode {stat.filemode(mode)}); "
            f"run: chmod 600 {path}")
    for parent in path.resolve().parents:
        if (parent / ".git").exists():
            raise CredentialsError(
                f"credentials file {path} lies inside the git work tree {parent}; keep it "
                f"outside any repository (default {default_credentials_path({})})")
    try:
        values = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        # the YAML error would quote the offending line, which may hold a secret
        raise CredentialsError(f"credentials file {path} is not valid YAML "
                               f"({type(error).__name__})") from None
    if not isinstance(values, dict):
        raise CredentialsError(f"credentials file {path} must hold a mapping with sp_api "
                               "and/or ads_api")
    return values
