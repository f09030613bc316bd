"""Fiera's platform package.

Path ids (`{meeting:int}`, ...) are database integers: an id of ten digits or more could only
overflow PostgreSQL's integer and end in a 500, so the `int` path convertor matches at most nine
digits and a longer one simply answers 404. It is registered here, before any route is built,
because Starlette compiles a route's path when the route is created.
"""

from starlette.convertors import IntegerConvertor, register_url_convertor


class IdConvertor(IntegerConvertor):
    regex = "[0-9]{1,9}"


register_url_convertor("int", IdConvertor())
