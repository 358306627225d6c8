"""How well ``apiary generate`` turns business prompts into definitions; see README.md."""
