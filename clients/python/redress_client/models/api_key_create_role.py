from enum import StrEnum


class ApiKeyCreateRole(StrEnum):
    ADMIN = "admin"
    CONSUMER = "consumer"
    OPS = "ops"
    STAFF = "staff"
    STORE = "store"

    def __str__(self) -> str:
        return str(self.value)
