"""An id too long for the database answers 404 on both databases, never a 500."""

from server.fairs.models import Role
from tests.support.factories import PASSWORD, make_fair, make_participant, make_user
from tests.support.pages import log_in


async def test_an_oversized_id_in_a_path_is_not_found(client, db, app):
    passwords = app.other_asgi_app.state.platform.passwords
    fair = await make_fair(db)
    organiser = await make_user(db, passwords)
    await make_participant(db, fair, organiser, Role.ORGANISER)
    await log_in(client, organiser.email, PASSWORD)
    base = f"/fairs/{fair.slug}/organise/participants"
    assert (await client.get(f"{base}/999999999")).status_code == 404
    response = await client.get(f"{base}/99999999999")
    assert response.status_code == 404
    assert "There is nothing here." in response.text
