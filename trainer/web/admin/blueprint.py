"""The admin blueprint, apart so that the modules holding its views can import it."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
