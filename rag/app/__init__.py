"""The Gradio chat app: layout, rendering, shared state, uploads and Chinese interface words. It only calls the public API and services."""
