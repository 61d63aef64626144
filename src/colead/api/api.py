# PLACEHOLDER: replaced by the API work.
from ninja import NinjaAPI

api = NinjaAPI(title="colead API", version="1", urls_namespace="api")
