from enum import StrEnum


class StoreCreatePlatform(StrEnum):
    BIGBEN = "bigben"
    BIGGREY = "biggrey"
    BUYIPPEE = "buyippee"
    GELI = "geli"
    GLOBALBUY = "globalbuy"

    def __str__(self) -> str:
        return str(self.value)
