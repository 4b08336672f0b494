import CMount
