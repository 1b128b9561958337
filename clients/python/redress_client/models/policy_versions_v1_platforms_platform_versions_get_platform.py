from enum import StrEnum


class PolicyVersionsV1PlatformsPlatformVersionsGetPlatform(StrEnum):
    BIGBEN = "bigben"
    BIGGREY = "biggrey"
    BUYIPPEE = "buyippee"
    GELI = "geli"
    GLOBALBUY = "globalbuy"

    def __str__(self) -> str:
        return str(self.value)
