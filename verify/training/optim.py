"""The judge trainers' AdamW parameter groups: weight decay on matrices, none on biases and LayerNorm."""

from __future__ import annotations

NO_DECAY = ("bias", "LayerNorm.weight")


def param_groups(model, weight_decay: float) -> tuple[list, list, list[dict]]:
    """(decayed, not decayed, AdamW groups) over the model's trainable parameters."""
    decay = [p for n, p in model.named_parameters() if p.requires_grad and not any(x in n for x in NO_DECAY)]
    nodecay = [p for n, p in model.named_parameters() if p.requires_grad and any(x in n for x in NO_DECAY)]
    return decay, nodecay, [{"params": decay, "weight_decay": weight_decay}, {"params": nodecay, "weight_decay": 0.0}]
