from django.urls import path

from planner.webhooks import views

base = "teams/<slug:team_slug>/integrations/"
endpoint = base + "<int:endpoint_id>/"

urlpatterns = [
    path(base, views.integrations, name="integrations"),
    path(base + "webhooks/", views.endpoint_create, name="webhook_create"),
    path(base + "chat/<str:kind>/", views.chat_connect, name="chat_connect"),
    path(endpoint, views.endpoint_detail, name="webhook_endpoint"),
    path(endpoint + "active/", views.endpoint_active, name="webhook_active"),
    path(endpoint + "secret/", views.endpoint_secret, name="webhook_secret"),
    path(endpoint + "delete/", views.endpoint_delete, name="webhook_delete"),
    path(
        endpoint + "deliveries/<int:delivery_id>/resend/",
        views.delivery_resend,
        name="webhook_resend",
    ),
]
