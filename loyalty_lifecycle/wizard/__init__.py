from . import lifecycle_stage_preview
