from enum import StrEnum


class SearchGigsSort(StrEnum):
    DISTANCE = "distance"
    NEWEST = "newest"
    RELEVANCE = "relevance"

    def __str__(self) -> str:
        return str(self.value)
