from enum import StrEnum


class SearchFreelancersSort(StrEnum):
    DISTANCE = "distance"
    RATING = "rating"
    RELEVANCE = "relevance"

    def __str__(self) -> str:
        return str(self.value)
