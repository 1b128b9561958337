from enum import StrEnum


class StoresV1StatsStoresGetPlatformType0(StrEnum):
    BIGBEN = "bigben"
    BIGGREY = "biggrey"
    BUYIPPEE = "buyippee"
    GELI = "geli"
    GLOBALBUY = "globalbuy"

    def __str__(self) -> str:
        return str(self.value)
