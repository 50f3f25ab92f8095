"""The red-team API key from Vault (KV v2), for runs from CI where the key is never in a variable."""

from __future__ import annotations


class CredentialError(ValueError):
    pass


def key_from_vault(path: str, kv_mount: str) -> str:
    """Field ``api_key`` of the KV v2 secret at ``path`` in ``kv_mount`` (VAULT_ADDR, VAULT_TOKEN)."""
    import hvac

    from privllm.vault import VaultError, client_from_env

    try:
        client = client_from_env()
        secret = client.secrets.kv.v2.read_secret_version(path=path.strip("/"), mount_point=kv_mount, raise_on_deleted_version=True)
    except VaultError as exc:
        raise CredentialError(f"--key-vault: {exc}") from None
    except (hvac.exceptions.VaultError, OSError) as exc:
        raise CredentialError(f"--key-vault: cannot read {kv_mount}/{path}: {exc}") from None
    key = ((secret or {}).get("data") or {}).get("data", {}).get("api_key")
    if not key:
        raise CredentialError(f"--key-vault: {kv_mount}/{path} has no field 'api_key'")
    return key
