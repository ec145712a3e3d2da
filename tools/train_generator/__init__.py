"""Data recipe, LoRA training and export of the tuned generator (make train-generator)."""
