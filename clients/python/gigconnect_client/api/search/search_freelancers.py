from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_envelope import ErrorEnvelope
from ...models.search_freelancer_page_out import SearchFreelancerPageOut
from ...models.search_freelancers_availability import SearchFreelancersAvailability
from ...models.search_freelancers_currency import SearchFreelancersCurrency
from ...models.search_freelancers_sort import SearchFreelancersSort
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    q: str | Unset = "",
    lat: float | Unset = UNSET,
    lng: float | Unset = UNSET,
    radius_km: float | Unset = UNSET,
    skills: str | Unset = UNSET,
    limit: int | Unset = 20,
    cursor: str | Unset = UNSET,
    sort: SearchFreelancersSort | Unset = SearchFreelancersSort.RELEVANCE,
    max_rate: int | Unset = UNSET,
    currency: SearchFreelancersCurrency | Unset = UNSET,
    availability: SearchFreelancersAvailability | Unset = UNSET,
    fields: str | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_none_match, Unset):
        headers["If-None-Match"] = if_none_match

    params: dict[str, Any] = {}

    params["q"] = q

    params["lat"] = lat

    params["lng"] = lng

    params["radius_km"] = radius_km

    params["skills"] = skills

    params["limit"] = limit

    params["cursor"] = cursor

    json_sort: str | Unset = UNSET
    if not isinstance(sort, Unset):
        json_sort = sort.value

    params["sort"] = json_sort

    params["max_rate"] = max_rate

    json_currency: str | Unset = UNSET
    if not isinstance(currency, Unset):
        json_currency = currency.value

    params["currency"] = json_currency

    json_availability: str | Unset = UNSET
    if not isinstance(availability, Unset):
        json_availability = availability.value

    params["availability"] = json_availability

    params["fields"] = fields

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/search/freelancers",
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | ErrorEnvelope | SearchFreelancerPageOut | None:
    if response.status_code == 200:
        response_200 = SearchFreelancerPageOut.from_dict(response.json())

        return response_200

    if response.status_code == 304:
        response_304 = cast(Any, None)
        return response_304

    if response.status_code == 400:
        response_400 = ErrorEnvelope.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorEnvelope.from_dict(response.json())

        return response_401

    if response.status_code == 422:
        response_422 = ErrorEnvelope.from_dict(response.json())

        return response_422

    if response.status_code == 500:
        response_500 = ErrorEnvelope.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = ErrorEnvelope.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | ErrorEnvelope | SearchFreelancerPageOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    q: str | Unset = "",
    lat: float | Unset = UNSET,
    lng: float | Unset = UNSET,
    radius_km: float | Unset = UNSET,
    skills: str | Unset = UNSET,
    limit: int | Unset = 20,
    cursor: str | Unset = UNSET,
    sort: SearchFreelancersSort | Unset = SearchFreelancersSort.RELEVANCE,
    max_rate: int | Unset = UNSET,
    currency: SearchFreelancersCurrency | Unset = UNSET,
    availability: SearchFreelancersAvailability | Unset = UNSET,
    fields: str | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Response[Any | ErrorEnvelope | SearchFreelancerPageOut]:
    """Freelancers by text, place and filters

     Freelancers matching words and filters, by relevance, distance or rating.

    Args:
        q (str | Unset):  Default: ''.
        lat (float | Unset):
        lng (float | Unset):
        radius_km (float | Unset):
        skills (str | Unset):
        limit (int | Unset):  Default: 20.
        cursor (str | Unset):
        sort (SearchFreelancersSort | Unset):  Default: SearchFreelancersSort.RELEVANCE.
        max_rate (int | Unset):
        currency (SearchFreelancersCurrency | Unset):
        availability (SearchFreelancersAvailability | Unset):
        fields (str | Unset):
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorEnvelope | SearchFreelancerPageOut]
    """

    kwargs = _get_kwargs(
        q=q,
        lat=lat,
        lng=lng,
        radius_km=radius_km,
        skills=skills,
        limit=limit,
        cursor=cursor,
        sort=sort,
        max_rate=max_rate,
        currency=currency,
        availability=availability,
        fields=fields,
        if_none_match=if_none_match,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    q: str | Unset = "",
    lat: float | Unset = UNSET,
    lng: float | Unset = UNSET,
    radius_km: float | Unset = UNSET,
    skills: str | Unset = UNSET,
    limit: int | Unset = 20,
    cursor: str | Unset = UNSET,
    sort: SearchFreelancersSort | Unset = SearchFreelancersSort.RELEVANCE,
    max_rate: int | Unset = UNSET,
    currency: SearchFreelancersCurrency | Unset = UNSET,
    availability: SearchFreelancersAvailability | Unset = UNSET,
    fields: str | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Any | ErrorEnvelope | SearchFreelancerPageOut | None:
    """Freelancers by text, place and filters

     Freelancers matching words and filters, by relevance, distance or rating.

    Args:
        q (str | Unset):  Default: ''.
        lat (float | Unset):
        lng (float | Unset):
        radius_km (float | Unset):
        skills (str | Unset):
        limit (int | Unset):  Default: 20.
        cursor (str | Unset):
        sort (SearchFreelancersSort | Unset):  Default: SearchFreelancersSort.RELEVANCE.
        max_rate (int | Unset):
        currency (SearchFreelancersCurrency | Unset):
        availability (SearchFreelancersAvailability | Unset):
        fields (str | Unset):
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorEnvelope | SearchFreelancerPageOut
    """

    return sync_detailed(
        client=client,
        q=q,
        lat=lat,
        lng=lng,
        radius_km=radius_km,
        skills=skills,
        limit=limit,
        cursor=cursor,
        sort=sort,
        max_rate=max_rate,
        currency=currency,
        availability=availability,
        fields=fields,
        if_none_match=if_none_match,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    q: str | Unset = "",
    lat: float | Unset = UNSET,
    lng: float | Unset = UNSET,
    radius_km: float | Unset = UNSET,
    skills: str | Unset = UNSET,
    limit: int | Unset = 20,
    cursor: str | Unset = UNSET,
    sort: SearchFreelancersSort | Unset = SearchFreelancersSort.RELEVANCE,
    max_rate: int | Unset = UNSET,
    currency: SearchFreelancersCurrency | Unset = UNSET,
    availability: SearchFreelancersAvailability | Unset = UNSET,
    fields: str | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Response[Any | ErrorEnvelope | SearchFreelancerPageOut]:
    """Freelancers by text, place and filters

     Freelancers matching words and filters, by relevance, distance or rating.

    Args:
        q (str | Unset):  Default: ''.
        lat (float | Unset):
        lng (float | Unset):
        radius_km (float | Unset):
        skills (str | Unset):
        limit (int | Unset):  Default: 20.
        cursor (str | Unset):
        sort (SearchFreelancersSort | Unset):  Default: SearchFreelancersSort.RELEVANCE.
        max_rate (int | Unset):
        currency (SearchFreelancersCurrency | Unset):
        availability (SearchFreelancersAvailability | Unset):
        fields (str | Unset):
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorEnvelope | SearchFreelancerPageOut]
    """

    kwargs = _get_kwargs(
        q=q,
        lat=lat,
        lng=lng,
        radius_km=radius_km,
        skills=skills,
        limit=limit,
        cursor=cursor,
        sort=sort,
        max_rate=max_rate,
        currency=currency,
        availability=availability,
        fields=fields,
        if_none_match=if_none_match,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    q: str | Unset = "",
    lat: float | Unset = UNSET,
    lng: float | Unset = UNSET,
    radius_km: float | Unset = UNSET,
    skills: str | Unset = UNSET,
    limit: int | Unset = 20,
    cursor: str | Unset = UNSET,
    sort: SearchFreelancersSort | Unset = SearchFreelancersSort.RELEVANCE,
    max_rate: int | Unset = UNSET,
    currency: SearchFreelancersCurrency | Unset = UNSET,
    availability: SearchFreelancersAvailability | Unset = UNSET,
    fields: str | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Any | ErrorEnvelope | SearchFreelancerPageOut | None:
    """Freelancers by text, place and filters

     Freelancers matching words and filters, by relevance, distance or rating.

    Args:
        q (str | Unset):  Default: ''.
        lat (float | Unset):
        lng (float | Unset):
        radius_km (float | Unset):
        skills (str | Unset):
        limit (int | Unset):  Default: 20.
        cursor (str | Unset):
        sort (SearchFreelancersSort | Unset):  Default: SearchFreelancersSort.RELEVANCE.
        max_rate (int | Unset):
        currency (SearchFreelancersCurrency | Unset):
        availability (SearchFreelancersAvailability | Unset):
        fields (str | Unset):
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorEnvelope | SearchFreelancerPageOut
    """

    return (
        await asyncio_detailed(
            client=client,
            q=q,
            lat=lat,
            lng=lng,
            radius_km=radius_km,
            skills=skills,
            limit=limit,
            cursor=cursor,
            sort=sort,
            max_rate=max_rate,
            currency=currency,
            availability=availability,
            fields=fields,
            if_none_match=if_none_match,
        )
    ).parsed
