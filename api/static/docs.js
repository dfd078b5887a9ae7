// Starts Swagger UI on the API docs page (kept out of the page: no inline script, see the CSP). Swagger
// UI itself is vendored under /static/swagger-ui, so the page works offline.
window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", displayOperationId: true });
