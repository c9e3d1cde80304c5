"""Dense vectors: loading sentence-transformers models from local weights, their ONNX/OpenVINO exports, the torch-free query path and the e5-small conversion."""
