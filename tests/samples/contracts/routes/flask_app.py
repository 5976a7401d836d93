from flask import Blueprint, jsonify

bp = Blueprint("payments", __name__)


@bp.route("/payments/<int:payment_id>", methods=["GET", "DELETE"])
def payment(payment_id):
    return jsonify({})


@bp.route("/payments")
def payments():
    return jsonify([])


bp.add_url_rule("/refunds", view_func=refunds, methods=["POST"])
