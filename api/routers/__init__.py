"""The API's operations, one django-ninja Router per area, put together by api.api."""

from ninja import Router


class ReadOnlyRouter(Router):
    """A Router whose GET operations answer HEAD too.

    django-ninja answers 405 to a method an operation was not registered for, and
    it registers `get` for GET only. Each GET here is registered a second time for
    HEAD, left out of the OpenAPI document (HEAD is GET without the body;
    api.errors.ApiResponseMiddleware drops the body and keeps its length and ETag).
    """

    def get(self, path: str, **kwargs):
        register_get = super().get(path, **kwargs)

        def decorator(view_func):
            view_func = register_get(view_func)
            self.add_api_operation(
                path, ["HEAD"], view_func, **{**kwargs, "include_in_schema": False}
            )
            return view_func

        return decorator
