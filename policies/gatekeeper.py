def constraints_for(cfg):
    return []
