"""The registry's part in erasure (ppaos.privacy.hooks): the search keys derived from the
name and phone go with them, so an erased person is found neither by the old name nor by the
old phone's hash."""

from ppaos.privacy import hooks
from ppaos.registry.models import Person
from ppaos.registry.search_keys import person_keys


@hooks.eraser
def erase_search_keys(person, actor) -> None:
    Person.objects.filter(pk=person.pk).update(
        **person_keys(person.first_name, person.last_name, person.phone)
    )
