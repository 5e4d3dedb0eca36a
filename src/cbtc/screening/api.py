"""JSON API of the screening engine: the instruments there are, and scoring one set of answers.

Scoring stores nothing and logs nothing about the answers: it is the same pure function as `cbtc score`,
and answers the same JSON (docs/scoring-contract.md). Refused answers get 422 with the field at fault.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Body

from cbtc.api_routing import PolicyRouter
from cbtc.errors import NotFound, ServiceError
from cbtc.network.roles import Permission
from cbtc.screening.instruments import ScreeningError, available_instruments, score
from cbtc.screening.schemas import AnswersIn, ErrorOut, InstrumentListOut, ScoreOut
from cbtc.web.policy import requires

router = PolicyRouter(tags=["screening"])


@router.get("/instruments", response={200: InstrumentListOut, 403: ErrorOut}, summary="Screening instruments")
@requires(Permission.SCREENING_PERFORM)
def instruments(request: HttpRequest) -> dict[str, Any]:
    return {
        "instruments": [
            {
                "code": instrument.code,
                "version": instrument.version,
                "revision": instrument.revision,
                "name": instrument.name,
                "engine": instrument.engine,
                "source": instrument.source,
                "licence": instrument.licence,
                "items": [item.key for item in instrument.items]
                + ([instrument.injecting.item.key] if instrument.injecting else []),
            }
            for _, instrument in sorted(available_instruments().items())
        ]
    }


# The path names the instrument by its code ("assist", "audit-c"); it is called instrument_id because
# path parameters are ids throughout the API (tests/test_openapi.py), never anything about a person.
@router.post(
    "/instruments/{instrument_id}/score",
    response={200: ScoreOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Score one set of answers (nothing is stored)",
)
@requires(Permission.SCREENING_PERFORM)
def score_answers(request: HttpRequest, instrument_id: str, answers: Body[AnswersIn]) -> dict[str, Any]:
    instrument = available_instruments().get(instrument_id)
    if instrument is None:
        raise NotFound
    try:
        return score(instrument, answers)
    except ScreeningError as error:
        raise ServiceError(error.message, field=error.field) from None
