"""The gateway's API routes, one module each; app.py mounts api_routes()."""

from __future__ import annotations

from starlette.routing import Route

from privllm.serving.gateway.routes import chat, completions, embeddings, models, reviews


def api_routes() -> list[Route]:
    return [
        Route(chat.PATH, chat.chat_completions, methods=["POST"]),
        Route(completions.PATH, completions.completions, methods=["POST"]),
        Route(embeddings.PATH, embeddings.embeddings, methods=["POST"]),
        Route("/v1/models", models.list_models, methods=["GET"]),
        Route("/v1/models/{model:path}", models.retrieve_model, methods=["GET"]),
        Route("/v1/reviews/{review_id}", reviews.fetch, methods=["GET"]),
        Route("/admin/reviews", reviews.pending, methods=["GET"]),
        Route("/admin/reviews/{review_id}/{verdict:str}", reviews.decide, methods=["POST"]),
    ]
